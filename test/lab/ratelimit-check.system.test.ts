// `lab test` running a test's rate-limit check from its source pod: the Istio example's local rate limit
// (policies/istio/02-time-app-rate-limit.yaml, enforced by the time app's sidecar as Envoy's
// source/extensions/filters/http/local_ratelimit/local_ratelimit.cc does: a token bucket of max_tokens,
// refilled tokens_per_fill every fill_interval, a 429 for a request that finds it empty) measured from
// the Apache pod with policies/istio-rate-limit-expectations.yaml, judged and gated as `prober check` does.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { prepareRuntime } from '../../app/runtime.ts';
import { lab, labName } from '../helpers/lab.ts';
import { ROOT, startBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const ISTIO = join(ROOT, 'policies', 'istio');
const EXAMPLE = join(ROOT, 'policies', 'istio-rate-limit-expectations.yaml');
/** Runs a verdict may take when a loaded host cannot hold the offered rate (test/probe/rate-limit.system.test.ts). */
const RUNS = 3;

interface JsonPhase {
  readonly label: string;
  readonly verdict: string;
  readonly why: string;
  readonly measurement: { readonly sent: number; readonly accepted: number; readonly statuses: Record<string, number> };
}
interface JsonCheck {
  readonly name: string;
  readonly from: string;
  readonly verdict: string;
  readonly phases: readonly JsonPhase[];
}

await prepareRuntime();
const name = labName();
t.teardown(() => {
  lab(['down', '--name', name]);
});
const up = lab(['up', '--name', name]);
if (up.status !== 0) throw new Error(`lab up failed (${up.status}): ${up.stderr}`);

/** Restarts the sidecars with the policies (a full bucket, as a fresh Envoy's). */
function apply(...files: string[]): void {
  const out = lab(['apply', '--name', name, '--assume-mesh', '-f', ...files]);
  if (out.status !== 0) throw new Error(`lab apply failed: ${out.stderr}`);
}

const notHeld = (check: JsonCheck): boolean => check.phases.some((p) => p.why.startsWith('could not hold'));
const whys = (check: JsonCheck): string => check.phases.map((p) => `${p.label}: ${p.verdict} — ${p.why}`).join('; ');

/**
 * `lab test -f FILE -o json`, again (a bounded number of times) while the host could not hold the offered
 * rate; the exit code, the report's cell and its one check, with the accepted counts in a comment.
 */
function labTest(t: Test, file: string): { status: number | null; check: JsonCheck; cell: unknown } {
  for (let run = 1; ; run++) {
    const out = lab(['test', '--name', name, '-f', file, '-o', 'json']);
    if (out.stdout === '') throw new Error(`lab test printed no report (exit ${out.status}): ${out.stderr.trim()}`);
    const report = JSON.parse(out.stdout) as { checks: JsonCheck[]; cells: unknown[] };
    t.same(reportSchemaErrors(report), [], 'the report validates against its schema');
    const check = report.checks[0]!;
    t.comment(
      `run ${run}: exit ${out.status}; ${check.phases.map((p) => `${p.label}: ${p.measurement.accepted} of ${p.measurement.sent} accepted (${JSON.stringify(p.measurement.statuses)})`).join('; ')}`,
    );
    if (!notHeld(check) || run === RUNS) return { status: out.status, check, cell: report.cells[0] };
  }
}

/** False, the rest skipped with the reason, when even the last run could not hold its rate. */
function held(t: Test, check: JsonCheck): boolean {
  if (!notHeld(check)) return true;
  t.equal(check.verdict, 'undecided', 'a rate not held is no verdict');
  t.pass('a verdict of the limiter', {
    skip: `the host could not hold the offered rate in ${RUNS} runs (load average ${loadavg()[0]?.toFixed(1)})`,
  });
  return false;
}

t.test('the EnvoyFilter applied: 10/s with a burst of 20 is in force, met, exit 0', async (t) => {
  apply(ISTIO);
  const { status, check, cell } = labTest(t, EXAMPLE);
  t.match(cell, { from: 'apache', to: 'app', observed: 'allow', result: 'pass' }, 'the matrix is observed too');
  if (!held(t, check)) return;
  t.equal(status, 0, whys(check));
  t.equal(check.verdict, 'met');
  t.equal(check.from, 'apache');
  const [below, above] = check.phases;
  t.match(below, { label: '0.5× the limit', verdict: 'met', measurement: { sent: 25, accepted: 25 } });
  // 100 sent at 20/s over 5 s: the bucket's 20, then 10 a second, the rest answered 429 by the sidecar.
  t.match(above, { label: '2× the limit', verdict: 'met', why: /within 65–75/, measurement: { sent: 100 } });
  t.equal((above?.measurement.accepted ?? 0) + (above?.measurement.statuses['429'] ?? 0), 100, 'every other a 429');
});

t.test('another limit expected than the EnvoyFilter enforces: not met, exit 1', async (t) => {
  apply(ISTIO);
  const dir = tempDir(t, 'ratelimit-check-wrong');
  const file = join(dir, 'test.yaml');
  const written = readFileSync(EXAMPLE, 'utf8');
  const wrong = written.replace('limit: 10/s', 'limit: 20/s');
  t.not(wrong, written, 'the example expects another limit');
  writeFileSync(file, wrong);
  const { status, check } = labTest(t, file);
  if (!held(t, check)) return;
  t.equal(status, 1, whys(check));
  t.equal(check.verdict, 'not-met');
  // At 40/s the sidecar still accepts 20 + 10/s × 5 s, far below the 120 ± 10 a 20/s limit would.
  t.match(check.phases[1], { verdict: 'not-met', why: /expected 110–130 for a limit of 20\/s/ });
});

t.test('without the EnvoyFilter nothing is limited: not met, exit 1', async (t) => {
  apply(join(ISTIO, '00-peer-authentication.yaml'), join(ISTIO, '01-redis-from-time-app.yaml'));
  const { status, check } = labTest(t, EXAMPLE);
  if (!held(t, check)) return;
  t.equal(status, 1, whys(check));
  t.match(check.phases[1], { verdict: 'not-met', measurement: { sent: 100, accepted: 100 } });
});

t.test('a source with no pod in the lab sends nothing: could not decide, and why', async (t) => {
  const dir = tempDir(t, 'ratelimit-check-ghost');
  const file = join(dir, 'test.yaml');
  const written = readFileSync(EXAMPLE, 'utf8');
  const ghost = written.replace('selector: { app: apacherr }', 'selector: { app: nobody }');
  t.not(ghost, written, 'the source matches no pod');
  writeFileSync(file, ghost);
  const out = lab(['test', '--name', name, '-f', file, '-o', 'json']);
  t.equal(out.status, 2, out.stderr);
  const report = JSON.parse(out.stdout) as { checks: JsonCheck[] };
  t.match(report.checks[0], {
    verdict: 'undecided',
    phases: [
      { why: 'nothing was sent: no lab pod in b-apacherr matches app=nobody', measurement: { sent: 0 } },
      { why: 'nothing was sent: no lab pod in b-apacherr matches app=nobody', measurement: { sent: 0 } },
    ],
  });
});

/** The processes of `prober agent --rate` in the Apache pod's namespace. */
function ratesSending(): string[] {
  const pids = spawnSync('ip', ['netns', 'pids', `${name}-b-apacherr-apacherr-0`], { encoding: 'utf8' }).stdout;
  return pids
    .split('\n')
    .filter((pid) => pid !== '')
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--rate');
      } catch {
        return false;
      }
    });
}

/** True while a sender runs in the Apache pod and that pod holds a connection to the app's port 5000. */
function sendingToApp(): boolean {
  if (ratesSending().length === 0) return false;
  const out = spawnSync(
    'ip',
    ['netns', 'exec', `${name}-b-apacherr-apacherr-0`, 'ss', '-Htn', 'state', 'established'],
    {
      encoding: 'utf8',
    },
  ).stdout;
  return out.trim() !== '';
}

t.test('interrupted while a check sends: its sender stops, the phase says how far it got, exit 2', async (t) => {
  apply(ISTIO);
  const dir = tempDir(t, 'ratelimit-check-interrupt');
  const file = join(dir, 'test.yaml');
  const written = readFileSync(EXAMPLE, 'utf8');
  const long = written.replace('burst: 20 }', 'burst: 20, duration: 30s }');
  t.not(long, written, 'phases of 30 s');
  writeFileSync(file, long);
  const run = startBinary(t, ['lab', 'test', '--name', name, '-f', file, '-o', 'json']);
  // Once the sender runs and holds a connection to the app, its phase is under way (some requests sent).
  await waitFor('the check to be sending from the Apache pod', () => sendingToApp() || run.done(), 60_000);
  t.notOk(run.done(), `lab test still running when interrupted (${run.output.stderr.trim()})`);
  run.child.kill('SIGINT');
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const report = JSON.parse(exit.stdout) as { checks: JsonCheck[] };
  t.match(report.checks[0], {
    verdict: 'undecided',
    phases: [{ why: /^interrupted after [1-9]\d* of 150 requests$/ }, { why: 'not run (the run was interrupted)' }],
  });
  t.same(ratesSending(), [], 'no sender left in the pod');
});
