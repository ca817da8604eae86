// What a real kubelet and API server refuse of the agents, played by the fake (there is no cluster on
// these machines; the Kubernetes API is an in-process fake, the agents are the real `prober agent`): a
// source pod that runs as root, a pod object near etcd's size limit, a namespace with a compute quota.
// Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents, faults-admission
// and faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, LAB_TEST } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const APACHE = ['b-apacherr', 'apacherr-6c9f7d-x2x4q'] as const;

t.test('an ephemeral agent runs in a source pod whose pod-level securityContext runs as root', async (t) => {
  const lab = await clusterLab(t);
  // Many images run as root; the pod says so for all its containers, and an agent's own fields must override it.
  (lab.fake.pod(...APACHE) as Json).spec.securityContext = { runAsUser: 0, runAsGroup: 0 };
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
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
    const run = await runProber([
      'run',
      '-f',
      lab.testFile(LAB_TEST),
      '--kubeconfig',
      lab.fake.kubeconfig,
      `--agent=${agent}`,
      '--image',
      'ghcr.io/prober-dev/prober:root-user',
      '-o',
      'json',
    ]);
    t.equal(run.code, 0, `--agent=${agent}: ${JSON.stringify(JSON.parse(run.stdout).sources)}`);
  }
});

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
    const run = await runProber([
      'run',
      '-f',
      lab.testFile(LAB_TEST),
      '--kubeconfig',
      lab.fake.kubeconfig,
      `--agent=${agent}`,
      '-o',
      'json',
    ]);
    t.equal(run.code, 0, `--agent=${agent}: ${JSON.stringify(JSON.parse(run.stdout).sources)}`);
  }
  t.equal(lab.fake.seen('create', 'pods').filter((r) => r.code === 201).length, 2, 'both probe pods admitted');
});

t.test('a probe pod beyond what the quota has left is a source error naming the quota (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.admission.addQuota({ namespace: 'b-apacherr', name: 'compute', hard: { 'limits.cpu': '400m' } });
  const run = await runProber([
    'run',
    '-f',
    lab.testFile(LAB_TEST),
    '--kubeconfig',
    lab.fake.kubeconfig,
    '--agent=pod',
    '-o',
    'json',
  ]);
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

/** Ephemeral containers an older prober left in the Apache pod, each with its plan in plain JSON. */
function oldAgents(lab: Awaited<ReturnType<typeof clusterLab>>, count: number, planBytes: number): Json {
  const pod = lab.fake.pod(...APACHE) as Json;
  pod.spec.ephemeralContainers = Array.from({ length: count }, (_, i) => ({
    name: `prober-old${String(i).padStart(3, '0')}`,
    image: 'ghcr.io/prober-dev/prober:0.0.9',
    command: ['prober', 'agent'],
    env: [{ name: 'PROBER_PLAN', value: 'x'.repeat(planBytes) }],
  }));
  return pod;
}

t.test('a source pod already holding many prober agents: the run warns on stderr and still probes', async (t) => {
  const lab = await clusterLab(t);
  oldAgents(lab, 25, 500);
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  t.match(
    run.stderr,
    /apache: pod b-apacherr\/apacherr-6c9f7d-x2x4q already holds 25 prober agent containers \(ephemeral containers are never removed; it is \d+ KiB of etcd's 1\.5 MiB per object\): run with --agent=pod, or replace the pod/,
  );
  t.notMatch(run.stderr, /app: pod/, 'the app pod holds none');
  t.equal((lab.fake.pod(...APACHE) as Json).spec.ephemeralContainers.length, 26);
});

t.test('a source pod near the size budget is not patched: its source errors with the way out (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  const pod = oldAgents(lab, 40, 0);
  const room = 1024 * 1024 - 1024 - JSON.stringify(pod).length;
  for (const container of pod.spec.ephemeralContainers) container.env[0].value = 'x'.repeat(Math.floor(room / 40));
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 2, run.stderr);
  const [apache, app] = (JSON.parse(run.stdout) as Json).sources;
  t.match(
    apache.error,
    /^pod b-apacherr\/apacherr-6c9f7d-x2x4q is 10\d\d KiB with 40 prober agent containers that can never be removed; another would take it past the 1024 KiB prober allows/,
  );
  t.equal(app.error, undefined);
  t.same(
    lab.fake.seen('patch', 'pods/ephemeralcontainers').map((r) => r.namespace),
    ['c-app-count'],
    'only the app pod was patched',
  );
});
