// The kubelet rotates container logs at containerLogMaxSize and `pods/log` serves only the current file:
// an agent whose output passed that size lost its first results, and prober must say which and why.
// Upstream read: pkg/kubelet/logs/container_log_manager.go (rotateLog, containerLogMaxSize 10Mi) and
// pkg/kubelet/kuberuntime/logs/logs.go (ReadLogs reads the container's current log path only).
// The API server is the fake (test/cluster/fake/); the agents are the real `prober agent`.

import t from 'tap';
import { CONTAINER_LOG_MAX_BYTES, collectLog, logSizeWarning } from '../../src/cluster/agent-log.ts';
import type { ProbePlan } from '../../src/model/plan.ts';
import { CONTAINER_LOG_MAX_SIZE } from './fake/kubelet.ts';
import { APP_URL, clusterLab, labRunArgs } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

/** A test of `count` targets, all the app, probed from the app: every cell is an allow. */
function manyTargets(count: number): string {
  const names = Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, '0')}`);
  return `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: many-targets }
spec:
  defaults: { timeout: 2s, attempts: 1 }
  sources:
    app: { namespace: c-app-count, selector: { app: pythonapp } }
  targets:
${names.map((n) => `    ${n}: { url: "${APP_URL}" }`).join('\n')}
  expect:
    - { from: app, to: "*", verdict: allow }
`;
}

t.test('the fake kubelet and prober both take 10 MiB per log file, the kubelet default', async (t) => {
  t.equal(CONTAINER_LOG_MAX_SIZE, 10 * 1024 * 1024);
  t.equal(CONTAINER_LOG_MAX_BYTES, CONTAINER_LOG_MAX_SIZE);
});

t.test('a plan whose output may pass 10 MiB is named before it runs', async (t) => {
  const plan = (count: number): ProbePlan => ({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'web',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 8 },
    probes: Array.from({ length: count }, (_, i) => ({ id: `target-${i}`, url: APP_URL })),
  });
  t.equal(logSizeWarning(plan(1000)), undefined, 'a thousand probes fit one file');
  t.match(
    logSizeWarning(plan(30_000)),
    /^web: its 30000 probes may print about 1\d\.\d MiB, more than the 10Mi the kubelet keeps in one container log file by default \(containerLogMaxSize\): results printed before a rotation are lost and reported as errors; split the targets over several tests$/,
  );
});

for (const agent of ['pod', 'ephemeral'] as const) {
  t.test(`results rotated out of the log are error cells naming the rotation (--agent=${agent})`, async (t) => {
    const lab = await clusterLab(t);
    // A node's kubelet config may set a smaller containerLogMaxSize; here about 16 result lines (310 bytes each) fit a file.
    lab.fake.kubelet.containerLogMaxSize = 5000;
    const run = await runProber(labRunArgs(lab, lab.testFile(manyTargets(40)), `--agent=${agent}`));
    t.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    const cells = report.cells as Json[];
    t.equal(cells.length, 40);
    const passed = cells.filter((c) => c.result === 'pass');
    const lost = cells.filter((c) => c.result === 'error');
    t.ok(passed.length > 0, 'the results in the current file count');
    t.ok(lost.length > 0, 'the rotated ones are missing');
    t.equal(passed.length + lost.length, 40, 'never a silent allow or deny');
    for (const cell of lost) {
      t.equal(cell.observed, 'error', cell.to);
      t.match(
        cell.detail,
        /^no result in the agent.s log, though the agent finished: the kubelet rotates container logs at containerLogMaxSize \(10Mi by default\) and the API server serves only the newest file \(\d+ of the agent.s 40 results are missing\)$/,
        cell.to,
      );
    }
    // The lost ones are the first the agent printed.
    t.ok(
      lost.every((c) => passed.every((p) => c.to < p.to)),
      'the beginning of the output is lost',
    );
  });
}

t.test('a log whose final line was rotated away: the exit code 0 says so', async (t) => {
  const plan: ProbePlan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'web',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 8 },
    probes: [{ id: 'app', url: APP_URL }],
  };
  const done = { kind: 'terminated', exitCode: 0, reason: 'Completed', message: '' } as const;
  t.same(collectLog('', plan, done), {
    error:
      'the agent stopped before finishing (exit code 0, Completed; 0 of its results arrived); the agent exited 0, so its final line was rotated out of the log the API server serves (containerLogMaxSize, 10Mi by default)',
  });
  const killed = { kind: 'terminated', exitCode: 137, reason: 'OOMKilled', message: '' } as const;
  t.notMatch(collectLog('', plan, killed), { error: /rotated/ }, 'a killed agent is not blamed on rotation');
});
