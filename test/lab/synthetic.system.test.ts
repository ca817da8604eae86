// The lab's nftables enforcement agrees with the policy model, cell by cell, on a synthetic cluster
// (three namespaces, ingress and egress rules, named ports); a wrong expectation is exit 1 and named;
// lab reset takes every rule away again.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'synthetic')]);

t.test('with no policy everything is reachable, as the model says', async (t) => {
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  t.equal(run.status, 0, 'exit 0');
  const report = JSON.parse(run.stdout);
  t.same(reportSchemaErrors(report), []);
  const checked = report.cells.filter((c: { result: string }) => c.result !== 'unchecked');
  t.ok(checked.length >= 20, `${checked.length} cells checked`);
  t.ok(
    checked.every((c: { observed: string }) => c.observed === 'allow'),
    'all allowed',
  );
});

t.test('nftables enforcement agrees with the model on every cell', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-policies')]);
  t.equal(apply.status, 0, 'applied');
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  t.equal(run.status, 0, 'exit 0: every cell as the model says');
  const report = JSON.parse(run.stdout);
  t.same(reportSchemaErrors(report), []);
  const checked = report.cells.filter((c: { result: string }) => c.result !== 'unchecked');
  const denied = checked.filter((c: { observed: string }) => c.observed === 'deny');
  const allowed = checked.filter((c: { observed: string }) => c.observed === 'allow');
  t.ok(
    denied.length >= 8 && allowed.length >= 6,
    `a mix of verdicts (${allowed.length} allowed, ${denied.length} denied)`,
  );
  const cell = (from: string, to: string) =>
    report.cells.find((c: { from: string; to: string }) => c.from === from && c.to === to);
  t.match(cell('api', 'db'), { result: 'pass', observed: 'allow' }, 'named port db from team b');
  t.match(cell('web', 'db'), { result: 'pass', observed: 'deny', reason: 'timeout' }, 'default deny in gamma drops');
  t.match(cell('client', 'web'), { result: 'pass', observed: 'deny' }, 'client egress allows only the api');
  t.match(cell('client', 'api'), { result: 'pass', observed: 'allow' });
  t.match(cell('batch', 'web'), { result: 'pass', observed: 'deny' }, 'batch has no egress');
  t.match(cell('web', 'api-admin'), { result: 'pass', observed: 'deny' }, 'admin port only from beta');
  t.match(cell('db', 'web'), { model: { verdict: 'allow' }, observed: 'allow' });
});

t.test('a deliberately wrong expectation exits 1 and names the cell', async (t) => {
  const dir = tempDir(t, 'lab');
  const file = join(dir, 'wrong.yaml');
  const text = readFileSync(join(LAB_FIXTURES, 'synthetic-test.yaml'), 'utf8').replace(
    'expect: fromPolicies',
    'expect:\n    - { name: "db is open to web", from: web, to: db, verdict: allow }\n    - { from: api, to: db, verdict: allow }',
  );
  writeFileSync(file, text);
  const run = lab(['test', '--name', name, '-f', file]);
  t.equal(run.status, 1, 'exit 1');
  t.match(
    run.stdout,
    /D web → db \(db is open to web\): expected allow by db is open to web, observed deny \(timeout\)/,
  );
  t.match(run.stdout, /exit 1: at least one cell does not match/);
});

t.test('lab reset removes every rule: everything is reachable again and the lab forgets the policies', async (t) => {
  const reset = lab(['reset', '--name', name]);
  t.equal(reset.status, 0, reset.stderr);
  t.match(reset.stderr, `lab ${name}: policies removed`);
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8'));
  t.same(state.policies, [], 'no policy recorded in the state');
  // The model of the (now empty) policy set is the expectation, so a rule left in any pod fails a cell.
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  t.equal(run.status, 0, 'exit 0');
  const report = JSON.parse(run.stdout);
  const checked = report.cells.filter((c: { result: string }) => c.result !== 'unchecked');
  t.ok(checked.length >= 20, `${checked.length} cells checked`);
  t.same(
    checked
      .filter((c: { observed: string }) => c.observed !== 'allow')
      .map((c: { from: string; to: string }) => `${c.from} → ${c.to}`),
    [],
    'every cell allowed, web → db included',
  );
});
