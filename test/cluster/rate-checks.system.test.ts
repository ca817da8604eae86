// `prober run` sending a test's rate-limit checks from the check's source pod, against the in-process
// fake API server (test/cluster/fake/): its kubelet runs the real agent in the pod's network namespace
// and keeps its output as the container log, which prober reads through `pods/log`. The limiter is a
// real nginx `limit_req` (src/http/modules/ngx_http_limit_req_module.c: `excess` drained at the zone's
// rate, a request past `burst` answered `limit_req_status`) in the lab's server namespace, reachable
// only over the lab's veth: a verdict from it proves the requests left the source pod's namespace.
//
// Upstream behaviour the fake keeps for these calls: a second ephemeral container may be added to a pod
// that has one, existing ones never change or go (pkg/apis/core/validation/validation.go,
// ValidatePodEphemeralContainersUpdate); `pods/log?container=NAME` serves that container's current
// log file (pkg/kubelet/kuberuntime/kuberuntime_logs.go ReadLogs; a waiting container is a 400, as
// pkg/kubelet/kubelet_pods.go validateContainerLogStatus answers).

import { loadavg } from 'node:os';
import { gunzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { startNginx } from '../helpers/limiters.ts';
import { waitFor } from '../helpers/wait.ts';
import { APP_URL, type ClusterLab, clusterLab, labRunArgs, probePodsGone } from './fake/lab.ts';
import { runProber, startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const SOURCE = { namespace: 'b-apacherr', pod: 'apacherr-6c9f7d-x2x4q' };
/** Runs a verdict may take when a loaded host cannot hold the offered rate (test/probe/rate-limit.system.test.ts). */
const RUNS = 3;

/** The test: the matrix (apache → app), and one check from `from` to the limiter, as `check` writes it. */
function testYaml(limiter: string, check: string, from = 'apache'): string {
  return `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: cluster-rate-limit }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources:
    apache: { namespace: b-apacherr, selector: { app: apacherr } }
    ghost: { namespace: b-apacherr, selector: { app: nobody } }
    locked: { namespace: e-locked, selector: { app: web } }
  targets:
    app: { url: "${APP_URL}" }
    limited: { url: "${limiter}" }
  expect:
    - { from: apache, to: app, verdict: allow }
    - { from: apache, to: limited, verdict: allow }
  checks:
    limit:
      rateLimit: { from: ${from}, to: limited, ${check} }
`;
}

const notHeld = (check: Json): boolean =>
  (check.phases as Json[]).some((p) => String(p.why).startsWith('could not hold'));
const whys = (check: Json): string =>
  (check.phases as Json[]).map((p) => `${p.label}: ${p.verdict} — ${p.why}`).join('; ');

/** `prober run` of the test, again (a bounded number of times) while the host could not hold the offered rate. */
async function run(
  t: Test,
  lab: ClusterLab,
  yaml: string,
  ...flags: string[]
): Promise<{ code: number | null; check: Json; report: Json }> {
  for (let attempt = 1; ; attempt++) {
    const exit = await runProber(labRunArgs(lab, lab.testFile(yaml), ...flags));
    if (exit.stdout === '') throw new Error(`prober run printed no report (exit ${exit.code}): ${exit.stderr}`);
    const report = JSON.parse(exit.stdout) as Json;
    const check = (report.checks as Json[])[0] as Json;
    t.comment(
      `run ${attempt}: exit ${exit.code}; ${(check.phases as Json[]).map((p) => `${p.label}: ${p.measurement.accepted} of ${p.measurement.sent} accepted`).join('; ')}`,
    );
    if (!notHeld(check) || attempt === RUNS) return { code: exit.code, check, report };
  }
}

/** False, the rest skipped with the reason, when even the last run could not hold its rate. */
function held(t: Test, check: Json): boolean {
  if (!notHeld(check)) return true;
  t.equal(check.verdict, 'undecided', 'a rate not held is no verdict');
  t.pass('a verdict of the limiter', {
    skip: `the host could not hold the offered rate in ${RUNS} runs (load average ${loadavg()[0]?.toFixed(1)})`,
  });
  return false;
}

/** The ephemeral containers prober added to the source pod for checks (`prober-<run>-c<n>`). */
function checkAgents(lab: ClusterLab): Json[] {
  const pod = lab.fake.pod(SOURCE.namespace, SOURCE.pod) as Json;
  return ((pod.spec.ephemeralContainers ?? []) as Json[]).filter((c) => /^prober-[a-z0-9]+-c\d+$/.test(c.name));
}

/** The plan an agent container got in its environment. */
function planOf(container: Json): Json {
  const value = (container.env as Json[]).find((e) => e.name === 'PROBER_PLAN_GZ')?.value as string;
  return JSON.parse(gunzipSync(Buffer.from(value, 'base64')).toString('utf8')) as Json;
}

const lab = await clusterLab(t);
// 20 requests a second from each client address, 10 more at once.
const nginx = await startNginx(t, {
  rate: '20r/s',
  burst: 10,
  netns: { name: lab.pair.server, host: lab.pair.serverIp, port: 8080 },
});

t.test('a limit in force is met from the source pod: one ephemeral agent runs both phases (exit 0)', async (t) => {
  const before = checkAgents(lab).length;
  const { code, check, report } = await run(t, lab, testYaml(nginx.url, 'limit: 20/s, burst: 10, duration: 3s'));
  const agents = checkAgents(lab).slice(before);
  t.ok(agents.length >= 1, 'the check ran in an ephemeral container of the source pod');
  const plan = planOf(agents[0] as Json);
  t.match(
    plan,
    { kind: 'RateCheckPlan', source: 'apache', check: 'limit', url: nginx.url },
    'its plan is in its environment',
  );
  t.equal((plan.phases as Json[]).length, 2, 'one agent for both phases of the check');
  t.ok(plan.pauseMs >= 2000, 'with the refill pause between them');
  if (!held(t, check)) return;
  t.equal(code, 0, whys(check));
  t.equal(check.verdict, 'met', whys(check));
  t.match(check.phases[1].measurement.statuses, { 429: Number }, 'the 2× phase was rejected with 429');
  t.equal(report.summary?.checks?.met ?? 1, 1);
});

t.test('a limit written wrong is not met (exit 1)', async (t) => {
  const { code, check } = await run(t, lab, testYaml(nginx.url, 'limit: 10/s, burst: 10, duration: 4s'));
  if (!held(t, check)) return;
  t.equal(code, 1, whys(check));
  t.equal(check.verdict, 'not-met', whys(check));
  t.match(check.phases[1].why, /expected \d+–\d+ for a limit of 10\/s/);
});

t.test('--agent=pod runs the check in a probe pod beside the source, deleted after', async (t) => {
  const before = checkAgents(lab).length;
  const { code, check } = await run(t, lab, testYaml(nginx.url, 'limit: 20/s, burst: 10, duration: 3s'), '--agent=pod');
  t.equal(checkAgents(lab).length, before, 'no ephemeral container added');
  await probePodsGone(t, lab);
  if (!held(t, check)) return;
  t.equal(code, 0, whys(check));
  t.equal(check.verdict, 'met', whys(check));
});

t.test('no ready pod for the check source: could not decide (exit 2), saying why', async (t) => {
  const exit = await runProber(
    labRunArgs(lab, lab.testFile(testYaml(nginx.url, 'limit: 20/s, burst: 10, duration: 3s', 'ghost'))),
  );
  t.equal(exit.code, 2, exit.stderr);
  const check = (JSON.parse(exit.stdout) as Json).checks[0] as Json;
  t.equal(check.verdict, 'undecided');
  for (const phase of check.phases as Json[]) {
    t.match(phase.why, /nothing was sent: no pod matches selector app=nobody in namespace b-apacherr/);
    t.equal(phase.measurement.sent, 0);
  }
});

t.test('pods prober may not list for the check: could not decide (exit 2), the report still printed', async (t) => {
  lab.fake.addNamespace('e-locked');
  lab.fake.deny('list', 'pods', 'e-locked');
  const exit = await runProber(
    labRunArgs(lab, lab.testFile(testYaml(nginx.url, 'limit: 20/s, burst: 10, duration: 3s', 'locked'))),
  );
  t.equal(exit.code, 2, exit.stderr);
  const report = JSON.parse(exit.stdout) as Json;
  t.equal((report.checks[0] as Json).verdict, 'undecided');
  t.match((report.checks[0] as Json).phases[0].why, /nothing was sent: .*forbidden.*list pods/i);
});

t.test('an agent image that cannot be pulled: could not decide (exit 2), saying why', async (t) => {
  lab.fake.kubelet.images.set('registry.invalid/prober:missing', 'pull-error');
  const yaml = testYaml(nginx.url, 'limit: 20/s, burst: 10, duration: 3s');
  const exit = await runProber(labRunArgs(lab, lab.testFile(yaml), '--image', 'registry.invalid/prober:missing'));
  t.equal(exit.code, 2, exit.stderr);
  const check = (JSON.parse(exit.stdout) as Json).checks[0] as Json;
  t.equal(check.verdict, 'undecided');
  for (const phase of check.phases as Json[])
    t.match(
      phase.why,
      /nothing was sent: the agent in apacherr-6c9f7d-x2x4q failed: the agent image could not be pulled/,
    );
});

/**
 * Starts `prober run` of a check of `duration` (with `flags`), waits until `running` says the check's
 * agent runs, sends SIGINT and asserts what every interrupt must give: exit 2 at once, the
 * partial report saying so, the check undecided and its later phase not run.
 */
async function interruptMidCheck(t: Test, duration: string, running: () => boolean, ...flags: string[]): Promise<void> {
  const yaml = testYaml(nginx.url, `limit: 20/s, burst: 10, duration: ${duration}`);
  const prober = startProber(labRunArgs(lab, lab.testFile(yaml), ...flags));
  await waitFor("the check's agent running", running, 60_000);
  const sent = Date.now();
  prober.child.kill('SIGINT');
  const exit = await prober.exited;
  const took = Date.now() - sent;
  t.comment(`exited ${took} ms after SIGINT`);
  // The work stops at once; the exit also waits for the API calls of the cleanup, which on a loaded
  // host took up to 1.1 s. Two seconds still tell a prompt stop from a check run to its end (≥ 4 s).
  t.ok(took < 2000, `exited within two seconds (${took} ms)`);
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const check = (JSON.parse(exit.stdout) as Json).checks[0] as Json;
  t.equal(check.verdict, 'undecided');
  t.match(check.phases[1].why, /not run \(the run was interrupted\)/);
}

t.test('SIGINT mid-check: exit 2 at once, a partial report, the probe pod deleted', async (t) => {
  const probePodRunning = (): boolean =>
    lab.fake
      .probePods()
      .some((p) => /-c0-/.test(String(p.metadata.name)) && (p.status as Json)?.containerStatuses?.[0]?.state?.running);
  await interruptMidCheck(t, '10s', probePodRunning, '--agent=pod');
  await probePodsGone(t, lab, 'after SIGINT');
  await waitFor('no agent process left', () => lab.fake.kubelet.liveProcesses === 0, 10_000);
});

t.test('SIGINT mid-check with an ephemeral agent: exit 2 at once (the agent ends by itself)', async (t) => {
  const before = checkAgents(lab).length;
  const agentRunning = (): boolean => {
    const name = checkAgents(lab).slice(before).at(-1)?.name;
    const statuses = ((lab.fake.pod(SOURCE.namespace, SOURCE.pod) as Json).status.ephemeralContainerStatuses ??
      []) as Json[];
    return name !== undefined && statuses.some((s) => s.name === name && s.state?.running);
  };
  await interruptMidCheck(t, '2s', agentRunning);
  // Ephemeral containers cannot be stopped through the API: the agent sends its phases out, then ends.
  await waitFor('the agent to end by itself', () => lab.fake.kubelet.liveProcesses === 0, 30_000);
});
