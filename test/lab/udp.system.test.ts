// udp:// targets in the lab: Service DNAT and nftables for UDP, the synthetic target answering UDP, the
// node's UDP liveness check, and the policy model judging UDP and TCP on the same port number apart.

import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'udp')]);
const TEST = join(LAB_FIXTURES, 'udp-test.yaml');

type Cell = { from: string; to: string; result: string; observed: string; reason: string; detail?: string };

function run(t: Test): Cell[] {
  const out = lab(['test', '--name', name, '-f', TEST, '-o', 'json']);
  t.equal(out.status, 0, `exit 0: every cell as the model says ${out.stderr}`);
  const report = JSON.parse(out.stdout);
  t.same(reportSchemaErrors(report), []);
  t.match(
    report.targets.find((target: { name: string }) => target.name === 'dns-udp'),
    { alive: /answered the node at udp:\/\// },
    'the node proved the UDP target alive over UDP',
  );
  return report.cells;
}

t.test('with no policy, the synthetic target answers UDP and TCP through the Service', async (t) => {
  const cells = run(t);
  for (const from of ['client', 'stranger']) {
    const cell = (to: string) => cells.find((c) => c.from === from && c.to === to);
    t.match(cell('dns-udp'), { result: 'pass', observed: 'allow', reason: 'replied' }, `${from} → dns-udp`);
    t.match(cell('dns-tcp'), { result: 'pass', observed: 'allow', reason: 'connected' }, `${from} → dns-tcp`);
  }
});

t.test('a policy allowing only UDP from the client: enforcement and model agree on all four cells', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(LAB_FIXTURES, 'udp-policies')]);
  t.equal(apply.status, 0, apply.stderr);
  const cells = run(t);
  const cell = (from: string, to: string) => cells.find((c) => c.from === from && c.to === to);
  t.match(cell('client', 'dns-udp'), { result: 'pass', observed: 'allow', reason: 'replied' });
  t.match(cell('client', 'dns-tcp'), { result: 'pass', observed: 'deny' }, 'TCP on the same number is not allowed');
  t.match(
    cell('stranger', 'dns-udp'),
    { result: 'pass', observed: 'deny', reason: 'timeout' },
    'silence from a target proven alive over UDP is a trusted deny',
  );
  t.match(cell('stranger', 'dns-tcp'), { result: 'pass', observed: 'deny' });
});
