// What a real kubelet refuses of the agents, played by the fake: a source pod that runs as root, an
// agent image without a user
// (there is no cluster on these machines; the Kubernetes API is an in-process fake, the agents are the
// real `prober agent`).
// Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents, faults-admission,
// faults-quota, faults-pod-size and faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;

const APACHE = ['b-apacherr', 'apacherr-6c9f7d-x2x4q'] as const;

t.test('an ephemeral agent runs in a source pod whose pod-level securityContext runs as root', async (t) => {
  const lab = await clusterLab(t);
  // Many images run as root; the pod says so for all its containers, and an agent's own fields must override it.
  (lab.fake.pod(...APACHE) as Json).spec.securityContext = { runAsUser: 0, runAsGroup: 0 };
  const run = await runLab(lab);
  const report = JSON.parse(run.stdout) as Json;
  t.same(
    report.sources.map((s: Json) => s.error),
    [undefined, undefined],
    'no source error',
  );
  t.equal(run.code, 0, run.stderr);
  const agent = (lab.fake.pod(...APACHE) as Json).spec.ephemeralContainers[0];
  t.match(agent.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 });
});

t.test('an agent image whose user is root, with no user set anywhere, still runs as 65532', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.imageUsers.set('ghcr.io/prober-dev/prober:root-user', '');
  for (const agent of ['ephemeral', 'pod']) {
    const run = await runLab(lab, `--agent=${agent}`, '--image', 'ghcr.io/prober-dev/prober:root-user');
    t.equal(run.code, 0, `--agent=${agent}: ${JSON.stringify(JSON.parse(run.stdout).sources)}`);
  }
});
