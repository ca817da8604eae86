// network-policy-api conformance (v0.1.7): every AdminNetworkPolicy / BaselineAdminNetworkPolicy test, core and extended.
import t from 'tap';
import { tempDir } from '../../helpers/temp.ts';
import { CONFORMANCE_COMMIT, CONFORMANCE_TAG, runConformanceRow } from './anp-conformance.ts';
import { ADMIN_ROWS } from './anp-conformance-admin.ts';
import { BASELINE_ROWS } from './anp-conformance-baseline.ts';

const ROWS = [...ADMIN_ROWS, ...BASELINE_ROWS];

t.test(`every ConformanceTest of ${CONFORMANCE_TAG} (${CONFORMANCE_COMMIT.slice(0, 12)}) is translated once`, (t) => {
  t.equal(new Set(ROWS.map((r) => r.shortName)).size, ROWS.length, 'no test twice');
  // 24 tests with 92 subtests: 18 core (standard) tests with 83 subtests, 6 extended (experimental) ones with 9.
  t.same(
    { tests: ROWS.length, subtests: ROWS.reduce((n, r) => n + r.subtests.length, 0) },
    { tests: 24, subtests: 92 },
  );
  t.same(
    Object.fromEntries(
      (['core', 'extended'] as const).map((p) => [
        p,
        ROWS.filter((r) => r.profile === p).reduce((n, r) => [n[0]! + 1, n[1]! + r.subtests.length], [0, 0]),
      ]),
    ),
    { core: [18, 83], extended: [6, 9] },
  );
  t.end();
});

for (const row of ROWS) {
  t.test(`ConformanceTest ${row.shortName} (${row.profile})`, async (t) => {
    await runConformanceRow(t, row, tempDir(t, 'anp-conformance'));
  });
}
