// Deleting a pod is graceful, as the API server and kubelet do it: a scheduled pod gets a
// deletionTimestamp and stays Terminating until its containers have stopped (SIGTERM, then SIGKILL
// when the grace period passes); an unscheduled or finished pod goes at once. Prober's cleanup
// handles Terminating probe pods without calling them failures.
// Upstream read: pkg/registry/core/pod/strategy.go (podStrategy.CheckGracefulDelete: the grace period
// is the request's, else spec.terminationGracePeriodSeconds; 0 when spec.nodeName is empty or the
// phase is Succeeded/Failed), staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go (BeforeDelete:
// sets deletionTimestamp and deletionGracePeriodSeconds; a pod already terminating is answered as stored).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { waitFor } from '../helpers/wait.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { clusterLab, LAB_TEST, labRunArgs } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

/** `prober agent --listen` on a socket in a directory of the test's own: it runs until it is stopped. */
function resident(t: Test): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'prober-graceful-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return ['prober', 'agent', '--listen', join(dir, 'agent.sock')];
}

const pod = (name: string, image: string, command: string[], grace?: number): V1Pod => ({
  metadata: { name },
  spec: {
    restartPolicy: 'Never',
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    containers: [{ name: 'main', image, command }],
  },
});

t.test(
  'a running pod on a node is Terminating until its container stops; an unscheduled one goes at once',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.addNamespace('ns');
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    // A resident agent runs until it is stopped: the container is running when the delete comes.
    await api.createPod('ns', pod('runner', 'ghcr.io/prober-dev/prober:0.1.0', resident(t), 5));
    await waitFor('the container to run', () =>
      Boolean(fake.pod('ns', 'runner')?.status.containerStatuses?.[0]?.state.running),
    );
    t.ok(fake.pod('ns', 'runner')?.spec.nodeName, 'the scheduler bound the pod to a node');
    await api.deletePod('ns', 'runner');
    // The kubelet sends SIGTERM; the agent stops at once, well within the 5 s grace period.
    await waitFor('the pod to go', () => fake.pod('ns', 'runner') === undefined, 10_000);
    const answer = fake.seen('delete', 'pods').at(-1);
    t.ok(answer, 'the delete was seen');

    // Unscheduled: the scheduler is held back, so spec.nodeName is empty and the delete is immediate.
    fake.kubelet.schedulingDelayMs = 60_000;
    await api.createPod('ns', pod('pending', 'ghcr.io/prober-dev/prober:0.1.0', resident(t), 5));
    t.equal(fake.pod('ns', 'pending')?.spec.nodeName, undefined);
    await api.deletePod('ns', 'pending');
    t.equal(fake.pod('ns', 'pending'), undefined, 'no node, no grace period');
  },
);

t.test('a container that ignores SIGTERM keeps its pod Terminating for the grace period, then is killed', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('ns');
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const image = 'ghcr.io/prober-dev/prober:stubborn';
  fake.kubelet.ignoresStop.add(image);
  await api.createPod('ns', pod('stubborn', image, resident(t), 2));
  await waitFor('the container to run', () =>
    Boolean(fake.pod('ns', 'stubborn')?.status.containerStatuses?.[0]?.state.running),
  );
  await api.deletePod('ns', 'stubborn');
  const terminating = fake.pod('ns', 'stubborn') as Json;
  t.ok(terminating, 'still there: Terminating');
  t.ok(terminating.metadata.deletionTimestamp, 'with a deletionTimestamp');
  t.equal(terminating.metadata.deletionGracePeriodSeconds, 2, 'and the pod spec’s grace period');
  t.ok(terminating.status.containerStatuses[0].state.running, 'its container still runs');
  // Deleting again answers the pod as stored: no error, no shorter grace.
  await api.deletePod('ns', 'stubborn');
  t.ok(fake.pod('ns', 'stubborn'), 'a second delete does not cut the grace period short');
  await waitFor('the kill after the grace period', () => fake.pod('ns', 'stubborn') === undefined, 10_000);
  t.equal(fake.kubelet.liveProcesses, 0, 'the process was killed');
});

t.test('prober interrupted mid-run: its Terminating probe pods are not a cleanup failure, and they go', async (t) => {
  const lab = await clusterLab(t);
  // The agent ignores the stop signal, so its pod stays Terminating for the probe pod's grace period.
  lab.fake.kubelet.ignoresStop.add('ghcr.io/prober-dev/prober:stubborn');
  // And the node is slow to kill it: the pod stays Terminating, past its 1 s grace period, until released,
  // so a slow exit of prober on a loaded machine cannot outlast it.
  lab.fake.kubelet.holdKills = true;
  const slow = LAB_TEST.replace('timeout: 1s', 'timeout: 30s');
  const prober = startProber(
    labRunArgs(lab, lab.testFile(slow), '--agent=pod', '--image', 'ghcr.io/prober-dev/prober:stubborn'),
  );
  await waitFor('an agent running', () => lab.fake.probePods().some((p) => p.status?.phase === 'Running'), 20_000);
  prober.child.kill('SIGTERM');
  const exit = await prober.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.notMatch(exit.stderr, /could not delete probe pod/, 'a Terminating pod is deleted, not a failure');
  t.ok(
    lab.fake.probePods().some((p: Json) => p.metadata.deletionTimestamp),
    'a probe pod was still Terminating when prober exited',
  );
  const deletes = lab.fake.seen('delete', 'pods').map((r) => r.name);
  t.same(deletes, [...new Set(deletes)], 'the sweep by label does not delete a Terminating pod again');
  lab.fake.kubelet.releaseKills();
  await waitFor('every probe pod gone', () => lab.fake.probePods().length === 0, 15_000);
  t.equal(lab.fake.kubelet.liveProcesses, 0, 'and their agents stopped');
});
