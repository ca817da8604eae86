// The lab enforces ClusterNetworkPolicy with nftables as the model decides it: an Admin tier Deny
// drops what a NetworkPolicy allows, an Admin Accept opens what NetworkPolicy isolation drops, and a
// Baseline Deny applies where no NetworkPolicy isolates. Probes through the real rules agree.

import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { type ReportCell, reportSchemaErrors } from '../helpers/report-schema.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'synthetic')]);
const POLICIES = join(LAB_FIXTURES, 'cnp-policies');

function test(): { status: number | null; cell: (from: string, to: string) => ReportCell | undefined; stdout: string } {
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  const report = JSON.parse(run.stdout);
  return {
    status: run.status,
    stdout: run.stdout,
    cell: (from, to) => (report.cells as ReportCell[]).find((c) => c.from === from && c.to === to),
    ...(reportSchemaErrors(report).length > 0 ? { status: -1 } : {}),
  };
}

t.test('NetworkPolicy alone: the api reaches db, web does not', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(POLICIES, 'networkpolicy.yaml')]);
  t.equal(apply.status, 0, apply.stderr);
  const run = test();
  t.equal(run.status, 0, 'every cell as the model says');
  t.match(run.cell('api', 'db'), { result: 'pass', observed: 'allow' });
  t.match(run.cell('web', 'db'), { result: 'pass', observed: 'deny' });
  t.match(run.cell('client', 'api'), { result: 'pass', observed: 'allow' });
});

t.test(
  'with ClusterNetworkPolicies: Admin Deny over the NetworkPolicy allow, Admin Accept, Baseline Deny',
  async (t) => {
    const apply = lab(['apply', '--name', name, '-f', POLICIES]);
    t.equal(apply.status, 0, apply.stderr);
    const run = test();
    t.equal(run.status, 0, 'every cell as the model says');
    t.match(run.cell('api', 'db'), { result: 'pass', observed: 'deny', reason: 'timeout', model: { verdict: 'deny' } });
    t.match(run.cell('web', 'db'), { result: 'pass', observed: 'allow', model: { verdict: 'allow' } });
    t.match(run.cell('batch', 'db'), { result: 'pass', observed: 'deny' }, 'the NetworkPolicy still decides the rest');
    t.match(run.cell('client', 'api'), { result: 'pass', observed: 'deny', model: { verdict: 'deny' } });
    t.match(run.cell('web', 'api'), { result: 'pass', observed: 'allow' });
  },
);
