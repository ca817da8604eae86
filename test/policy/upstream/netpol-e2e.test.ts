// The Kubernetes e2e NetworkPolicy traffic suite (network_policy.go), every test, as prober's policy model.
import t from 'tap';
import { tempDir } from '../../helpers/temp.ts';
import { CONTEXT, E2E_COMMIT, runE2eRow } from './netpol-e2e.ts';
import { CHANGE_ROWS } from './netpol-e2e-changes.ts';
import { PORT_ROWS } from './netpol-e2e-ports.ts';
import { SELECTOR_ROWS } from './netpol-e2e-selectors.ts';

const ROWS = [...SELECTOR_ROWS, ...PORT_ROWS, ...CHANGE_ROWS];

t.test(`every traffic test of network_policy.go at ${E2E_COMMIT.slice(0, 12)} is translated once`, (t) => {
  const names = ROWS.map((r) => `${CONTEXT[r.context]} ${r.it}`);
  t.equal(new Set(names).size, names.length, 'no test twice');
  // 42 in the TCP context, 3 using UDP, 3 using SCTP: all 48 `f.It` of the file.
  t.same(Object.fromEntries(Object.keys(CONTEXT).map((c) => [c, ROWS.filter((r) => r.context === c).length])), {
    TCP: 42,
    UDP: 3,
    SCTP: 3,
  });
  t.end();
});

for (const row of ROWS) {
  t.test(`${CONTEXT[row.context]} ${row.it}`, async (t) => {
    await runE2eRow(t, row, tempDir(t, 'netpol-e2e'));
  });
}
