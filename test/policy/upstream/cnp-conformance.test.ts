// network-policy-api conformance at its head (ClusterNetworkPolicy, v1alpha2): every test of the
// ClusterNetworkPolicy profile, standard (core) and experimental (extended), checked against simulate.
import t from 'tap';
import { tempDir } from '../../helpers/temp.ts';
import { runConformanceRow } from './anp-conformance.ts';
import { CNP_CONFORMANCE_COMMIT, CNP_ROWS } from './cnp-conformance.ts';

t.test(`every ConformanceTest at ${CNP_CONFORMANCE_COMMIT.slice(0, 12)} is translated once`, (t) => {
  t.equal(new Set(CNP_ROWS.map((r) => r.shortName)).size, CNP_ROWS.length, 'no test twice');
  t.ok(CNP_ROWS.every((r) => /^CNP(Admin|Baseline)Tier/.test(r.shortName)));
  // 24 tests with 92 subtests: 18 standard tests with 83 subtests, 6 experimental ones with 9.
  t.same(
    { tests: CNP_ROWS.length, subtests: CNP_ROWS.reduce((n, r) => n + r.subtests.length, 0) },
    { tests: 24, subtests: 92 },
  );
  t.same(
    Object.fromEntries(
      (['core', 'extended'] as const).map((p) => [
        p,
        CNP_ROWS.filter((r) => r.profile === p).reduce((n, r) => [n[0]! + 1, n[1]! + r.subtests.length], [0, 0]),
      ]),
    ),
    { core: [18, 83], extended: [6, 9] },
  );
  t.end();
});

for (const row of CNP_ROWS) {
  t.test(`ConformanceTest ${row.shortName} (${row.profile})`, async (t) => {
    await runConformanceRow(t, row, tempDir(t, 'cnp-conformance'));
  });
}
