// A probe pod may wait for a node (PodScheduled False, Unschedulable, until the cluster autoscaler or a
// finishing pod frees room) and for its image pull (ContainerCreating): prober waits through both
// within --agent-timeout, and past it names the last state it saw.
// Upstream read: pkg/scheduler/schedule_one.go (handleSchedulingFailure: PodScheduled False, reason
// Unschedulable, "0/N nodes are available: …"), pkg/kubelet/kuberuntime/kuberuntime_container.go
// (startContainer: the image is pulled first; the container is reported waiting, ContainerCreating).
// The API server is the fake (test/cluster/fake/); the agents are the real `prober agent`.

import t from 'tap';
import { waitFor } from '../helpers/wait.ts';
import { clusterLab, LAB_TEST, labRunArgs, runLab } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

t.test('a probe pod scheduled late still runs within --agent-timeout (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.schedulingDelayMs = 1500;
  const prober = startProber(labRunArgs(lab, lab.testFile(LAB_TEST), '--agent=pod', '--agent-timeout', '30s'));
  // Bounded by the run's own --agent-timeout: on a loaded machine prober may take more than 10 s to create it.
  await waitFor(
    'a probe pod waiting for a node',
    () =>
      lab.fake
        .probePods()
        .some((p: Json) => p.status?.conditions?.some((c: Json) => c.type === 'PodScheduled' && c.status === 'False')),
    30_000,
  );
  const run = await prober.exited;
  t.equal(run.code, 0, run.stderr);
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});

t.test('a probe pod never scheduled: the timeout names the last state (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.schedulingDelayMs = 600_000;
  const run = await runLab(lab, '--agent=pod', '--agent-timeout', '2s');
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  for (const source of report.sources)
    t.equal(
      source.error,
      'the agent did not finish in time (--agent-timeout); last state: not scheduled: Unschedulable 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  t.same(lab.fake.probePods(), [], 'an unscheduled pod is deleted at once');
});

for (const agent of ['pod', 'ephemeral'] as const) {
  t.test(`a slow image pull is waited for within --agent-timeout (--agent=${agent}, exit 0)`, async (t) => {
    const lab = await clusterLab(t);
    lab.fake.kubelet.pullDelays.set('ghcr.io/prober-dev/prober:big', 1500);
    const run = await runLab(
      lab,
      `--agent=${agent}`,
      '--agent-timeout',
      '30s',
      '--image',
      'ghcr.io/prober-dev/prober:big',
    );
    t.equal(run.code, 0, run.stderr);
  });

  t.test(`an image pull longer than --agent-timeout names ContainerCreating (--agent=${agent}, exit 2)`, async (t) => {
    const lab = await clusterLab(t);
    lab.fake.kubelet.pullDelays.set('ghcr.io/prober-dev/prober:huge', 600_000);
    const run = await runLab(
      lab,
      `--agent=${agent}`,
      '--agent-timeout',
      '2s',
      '--image',
      'ghcr.io/prober-dev/prober:huge',
    );
    t.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    for (const source of report.sources)
      t.equal(
        source.error,
        'the agent did not finish in time (--agent-timeout); last state: waiting: ContainerCreating',
      );
  });
}
