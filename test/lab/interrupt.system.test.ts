// SIGINT during `lab test` (the real binary, a real lab): the agents stop, the partial report is
// printed with the probes not done as error/interrupted (never denies), exit 2 — long before the
// probes' own one-minute timeout. Covers the resident agents and agents started on demand.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { killProgram, LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { startBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { waitFor } from '../helpers/wait.ts';

type Json = Record<string, any>;

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'synthetic')]);
const applied = lab(['apply', '--name', name, '-f', join(LAB_FIXTURES, 'synthetic-policies')]);
if (applied.status !== 0) throw new Error(`lab apply failed: ${applied.stderr}`);

// One probe at a time: web → web answers at once, then web → db hangs (gamma drops it) for a minute.
const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: lab-interrupt }
spec:
  defaults: { timeout: 60s, attempts: 1, concurrency: 1 }
  sources:
    web: { namespace: alpha, selector: { app: web } }
  targets:
    web: { url: "http://web.alpha.svc.cluster.local/" }
    db: { url: "tcp://db.gamma.svc.cluster.local:5432" }
  expect:
    - { from: web, to: web, verdict: allow }
    - { from: web, to: db, verdict: deny }
`;

/** True while the web pod has a connection attempt waiting for an answer (its probe of db). */
function webIsWaiting(): boolean {
  const out = spawnSync('ip', ['netns', 'exec', `${name}-alpha-web-0`, 'ss', '-Htn', 'state', 'syn-sent'], {
    encoding: 'utf8',
  });
  return out.stdout.trim() !== '';
}

async function interruptedRun(t: Test, what: string): Promise<void> {
  // The test comes on stdin: `lab test -f -` reads it like `check` and `run` do.
  const run = startBinary(t, ['lab', 'test', '--name', name, '-f', '-', '-o', 'json'], { input: TEST });
  await waitFor(`the ${what} agent of web to probe db`, () => webIsWaiting() || run.done(), 30_000);
  t.notOk(run.done(), `lab test still running when interrupted (${run.output.stderr.trim()})`);
  run.child.kill('SIGINT');
  await waitFor('lab test to exit long before the probe timeout', () => run.done(), 20_000);
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const report = JSON.parse(exit.stdout) as Json;
  t.same(reportSchemaErrors(report), []);
  const cell = (to: string) => (report.cells as Json[]).find((c) => c.to === to);
  t.match(cell('web'), { result: 'pass', observed: 'allow' }, 'the probe done before the signal keeps its outcome');
  t.match(
    cell('db'),
    { result: 'error', observed: 'error', reason: 'interrupted' },
    'the probe cut off is an error, not a deny',
  );
  await waitFor('the agent to drop its probe of db', () => !webIsWaiting(), 10_000);
}

t.test('SIGINT during lab test with the resident agents', async (t) => {
  await interruptedRun(t, 'resident');
});

t.test('SIGINT during lab test with an agent started on demand', async (t) => {
  await killProgram(name, 'web-0', 'agent');
  await interruptedRun(t, 'on-demand');
});
