// Controllers adopt orphan pods their selector matches and delete a surplus, the never-Ready probe pod
// first. prober's probe pods are controlled by their source pod, so a ReplicaSet selecting on the
// labels they copy leaves them alone, and the garbage collector removes them with their source pod. The
// Kubernetes API server, its ReplicaSet controller and garbage collector are the fake's
// (test/cluster/fake/adoption.ts); the agents and the network are real.

import t from 'tap';
import { waitFor } from '../helpers/wait.ts';
import { clusterLab, LAB_TEST, labRunArgs, probePodsGone, runLab } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

t.test('a ReplicaSet selecting on the copied labels does not adopt or delete the probe pod (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  // A selector without pod-template-hash, as a hand-written ReplicaSet or an Argo Rollout's may be.
  lab.fake.controllers.addReplicaSet({ namespace: 'b-apacherr', name: 'apacherr', selector: { app: 'apacherr' } });
  t.same([...lab.fake.controllers.adopted.keys()], ['b-apacherr/apacherr-6c9f7d-x2x4q'], 'it owns the source pod');
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(report.summary, { pass: 4, error: 0 });
  t.same(lab.fake.controllers.deleted, [], 'the ReplicaSet deleted nothing');
  t.same([...lab.fake.controllers.adopted.keys()], ['b-apacherr/apacherr-6c9f7d-x2x4q'], 'and adopted nothing more');
  const sent = lab.fake.mesh.admitted.map((a) => a.sent).find((p) => p.metadata.name.startsWith('prober-apache-'));
  t.match(sent?.metadata.ownerReferences, [
    { apiVersion: 'v1', kind: 'Pod', name: 'apacherr-6c9f7d-x2x4q', controller: true, blockOwnerDeletion: false },
  ]);
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});

t.test('without the delete permission an owner reference needs, the probe pod is refused (403, exit 2)', async (t) => {
  const lab = await clusterLab(t);
  // Where the cluster runs OwnerReferencesPermissionEnforcement (off in kube-apiserver's defaults).
  lab.fake.enforceOwnerReferences();
  lab.fake.deny('delete', 'pods', 'b-apacherr');
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  const apache = report.sources.find((s: Json) => s.name === 'apache');
  t.match(
    apache.error,
    /cannot set an ownerRef on a resource you can't delete \(the probe pod names its source pod as its owner, so that no controller adopts it; .*grant delete pods/,
  );
});

t.test(
  'the source pod deleted mid-run takes its probe pod with it (garbage collector): a source error (exit 2)',
  async (t) => {
    const lab = await clusterLab(t);
    const prober = startProber(
      labRunArgs(lab, lab.testFile(LAB_TEST.replace('timeout: 1s', 'timeout: 30s')), '--agent=pod'),
    );
    const apacheProbe = () =>
      lab.fake
        .probePods()
        .find((p) => String(p.metadata.name).startsWith('prober-apache-') && p.status?.phase === 'Running');
    await waitFor('the apache probe pod running', () => apacheProbe() !== undefined, 30_000);
    const name = String(apacheProbe()?.metadata.name);
    // A rollout replaces the source pod while its probe pod is probing.
    lab.fake.deletePod('b-apacherr', 'apacherr-6c9f7d-x2x4q');
    const exit = await prober.exited;
    t.equal(exit.code, 2, exit.stderr);
    t.same(
      lab.fake.controllers.collected,
      [`b-apacherr/${name}`],
      'collected as a dependent of the deleted source pod',
    );
    const apache = (JSON.parse(exit.stdout) as Json).sources.find((s: Json) => s.name === 'apache');
    // The state of prober's last look: "running"; "waiting: ContainerCreating" when that look came
    // just before the container started (prober polls every second at most, the test sees the pod at
    // once); "not started" when its first look came after the deletion.
    t.match(
      apache.error,
      new RegExp(`^pod ${name} disappeared while the agent was (running|waiting: ContainerCreating|not started)$`),
    );
    await probePodsGone(t, lab);
  },
);
