// Faults of the agents in cluster mode — an image that cannot be pulled, an agent killed mid-plan or one
// that never starts, prober itself stopped by SIGTERM: each ends in exit 2 with its reason, no pod left.
// The Kubernetes API server is a fake (there is no cluster on these machines); the agents are the real
// `prober agent`. Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents and
// faults-workloads (.test.ts).

import t from 'tap';
import { waitFor } from '../helpers/wait.ts';
import { clusterLab, LAB_TEST, labRunArgs, runLab } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

for (const agent of ['ephemeral', 'pod'] as const) {
  t.test(`an agent image that cannot be pulled is a source error (--agent=${agent}, exit 2)`, async (t) => {
    const lab = await clusterLab(t);
    lab.fake.kubelet.images.set('registry.invalid/prober:nope', 'pull-error');
    const run = await runLab(lab, `--agent=${agent}`, '--image', 'registry.invalid/prober:nope');
    t.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    for (const source of report.sources)
      t.match(
        source.error,
        /^the agent image could not be pulled \(ImagePullBackOff: Back-off pulling image "registry\.invalid\/prober:nope"\)$/,
      );
    t.equal(report.summary.error, 4);
    t.same(lab.fake.probePods(), [], 'nothing left behind');
  });
}

t.test('an agent killed mid-plan (OOMKilled) gives no partial trust: its source errors (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.images.set('ghcr.io/prober-dev/prober:crashy', 'crash');
  const run = await runLab(lab, '--image', 'ghcr.io/prober-dev/prober:crashy');
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  for (const source of report.sources)
    t.match(
      source.error,
      /^the agent stopped before finishing \(exit code 137, OOMKilled; 1 of its results arrived\)/,
      source.name,
    );
  t.ok(report.cells.every((c: Json) => c.result === 'error'));
});

t.test('an agent that never starts hits --agent-timeout; its probe pod is deleted (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  // The container stays in ContainerCreating until its pod is deleted: only the deadline can end this run.
  lab.fake.kubelet.images.set('ghcr.io/prober-dev/prober:stuck', 'slow-start');
  const run = await runLab(lab, '--agent=pod', '--agent-timeout', '2s', '--image', 'ghcr.io/prober-dev/prober:stuck');
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  for (const source of report.sources)
    t.equal(source.error, 'the agent did not finish in time (--agent-timeout); last state: waiting: ContainerCreating');
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});

t.test('SIGTERM mid-run deletes the probe pods and exits 2', async (t) => {
  const lab = await clusterLab(t);
  const slow = LAB_TEST.replace('timeout: 1s', 'timeout: 30s');
  const prober = startProber(labRunArgs(lab, lab.testFile(slow), '--agent=pod'));
  // Mid-run: an agent is running. (Not both at once: the app's probes answer at once, so its agent may
  // be done before apache's starts; apache's deny waits out its 30 s timeout.)
  await waitFor('an agent running', () => lab.fake.probePods().some((p) => p.status?.phase === 'Running'), 20_000);
  prober.child.kill('SIGTERM');
  const exit = await prober.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /SIGTERM received, cleaning up/);
  t.match(exit.stderr, /interrupted by SIGTERM; the report is incomplete/);
  // A running agent's pod is deleted gracefully (pods/strategy.go CheckGracefulDelete): it may still be
  // Terminating when prober exits, but prober must have deleted it, and it goes.
  t.ok(
    lab.fake.probePods().every((p) => p.metadata.deletionTimestamp),
    'every probe pod deleted',
  );
  await waitFor('the probe pods to go', () => lab.fake.probePods().length === 0);
  t.equal(lab.fake.kubelet.liveProcesses, 0, 'and their agents stopped');
  const report = JSON.parse(exit.stdout) as Json;
  t.equal(report.exitCode, 2);
});
