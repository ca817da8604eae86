// The lab's life cycle on the host: down removes everything, also after an interrupted or killed `up`;
// a target killed before a test gives error cells, never denies.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { killProgram, LAB_FIXTURES, lab, labName, labUp, leftovers } from '../helpers/lab.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { waitFor } from '../helpers/wait.ts';

const synthetic = join(LAB_FIXTURES, 'synthetic');

/** Counts the lab's namespaces on the host. */
function namespaces(name: string): number {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.startsWith(`${name}-`)).length;
}

t.test('lab down removes every namespace, file and process, and is idempotent', async (t) => {
  const name = labName();
  labUp(t, name, [synthetic]);
  t.equal(namespaces(name), 7, 'node + 5 pods + the cluster DNS pod');
  const status = lab(['status', '--name', name]);
  t.match(status.stdout, /db\.gamma\.svc\.cluster\.local/);
  t.equal(lab(['down', '--name', name]).status, 0);
  t.same(leftovers(name), [], 'nothing left behind');
  const again = lab(['down', '--name', name]);
  t.equal(again.status, 0, 'a second down is fine');
  t.match(again.stderr, /nothing to remove/);
  t.equal(lab(['status', '--name', name]).status, 2, 'status of a lab that is down: exit 2');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} during lab up tears down what exists`, async (t) => {
    const name = labName();
    t.teardown(() => {
      lab(['down', '--name', name]);
    });
    const child = spawn(requireBinary(), ['lab', 'up', '--name', name, '-f', synthetic], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor('some namespaces to exist', () => namespaces(name) >= 2, 20_000, 2);
    child.kill(signal);
    t.equal(await exited, 2, 'interrupted: exit 2');
    t.same(leftovers(name), [], 'nothing left behind');
  });
}

t.test('after a killed lab up, lab down still removes everything', async (t) => {
  const name = labName();
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const child = spawn(requireBinary(), ['lab', 'up', '--name', name, '-f', synthetic], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('some namespaces to exist', () => namespaces(name) >= 3, 20_000, 2);
  child.kill('SIGKILL');
  await exited;
  t.ok(leftovers(name).length > 0, 'a killed up leaves things behind');
  t.equal(lab(['down', '--name', name]).status, 0);
  t.same(leftovers(name), [], 'down removed them');
});

t.test('a target killed before the test gives error cells, not denies, and exit 2', async (t) => {
  const name = labName();
  labUp(t, name, [synthetic]);
  await killProgram(name, 'db-0', 'synthetic');
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  t.equal(run.status, 2, 'exit 2: could not decide');
  const report = JSON.parse(run.stdout);
  const toDb = report.cells.filter((c: { to: string; result: string }) => c.to === 'db' && c.result !== 'unchecked');
  t.ok(toDb.length >= 4, 'cells to db are checked');
  for (const cell of toDb)
    t.match(cell, { result: 'error', observed: 'error', reason: 'target-down' }, `${cell.from} → db`);
  t.notOk(report.targets.find((x: { name: string }) => x.name === 'db').alive, 'db not proven alive');
});

t.test('a source whose resident agent died is probed by an agent started on demand', async (t) => {
  const name = labName();
  labUp(t, name, [synthetic]);
  await killProgram(name, 'web-0', 'agent');
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-test.yaml'), '-o', 'json']);
  t.equal(run.status, 0, 'exit 0');
  const fromWeb = JSON.parse(run.stdout).cells.filter((c: { from: string }) => c.from === 'web');
  t.ok(
    fromWeb.every((c: { observed: string }) => c.observed === 'allow'),
    'web still probed every target',
  );
});
