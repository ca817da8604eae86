// A namespace with a compute ResourceQuota, as a real API server's admission applies it, played by the fake
// (there is no cluster on these machines; the Kubernetes API is an in-process fake, the agents are the
// real `prober agent`).
// Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents, faults-admission,
// faults-quota, faults-pod-size and faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;

/** A compute quota in both source namespaces, as a platform team would set one. */
function computeQuota(lab: Awaited<ReturnType<typeof clusterLab>>, hard: Record<string, string>): void {
  for (const namespace of ['b-apacherr', 'c-app-count'])
    lab.fake.admission.addQuota({ namespace, name: 'compute', hard });
}

t.test('a namespace with a compute ResourceQuota accepts the probe pod and the ephemeral agent', async (t) => {
  const lab = await clusterLab(t);
  computeQuota(lab, {
    'requests.cpu': '2',
    'requests.memory': '2Gi',
    'limits.cpu': '4',
    'limits.memory': '4Gi',
    pods: '20',
  });
  for (const agent of ['pod', 'ephemeral']) {
    const run = await runLab(lab, `--agent=${agent}`);
    t.equal(run.code, 0, `--agent=${agent}: ${JSON.stringify(JSON.parse(run.stdout).sources)}`);
  }
  t.equal(lab.fake.seen('create', 'pods').filter((r) => r.code === 201).length, 2, 'both probe pods admitted');
});

t.test('a probe pod beyond what the quota has left is a source error naming the quota (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.admission.addQuota({ namespace: 'b-apacherr', name: 'compute', hard: { 'limits.cpu': '400m' } });
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 2, run.stderr);
  const [apache, app] = (JSON.parse(run.stdout) as Json).sources;
  t.match(apache.error, 'pods "prober-apache-');
  t.match(
    apache.error,
    /is forbidden: exceeded quota: compute, requested: limits\.cpu=500m, used: limits\.cpu=0, limited: limits\.cpu=400m$/,
  );
  t.equal(app.error, undefined, 'the other namespace has no quota');
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});
