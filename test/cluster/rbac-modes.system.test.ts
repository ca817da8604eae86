// Each agent mode works with only its own Role: ephemeral agents with prober-source (no pod create, which
// would let prober run code as any service account of the namespace), probe pods with the opt-in
// prober-probe-pod. The fake API server authorizes as the RBAC authorizer does
// (plugin/pkg/auth/authorizer/rbac) with the rendered k8s/prober/ minus the roles a row leaves out.

import t from 'tap';
import { clusterLab, proberRbac, runLab } from './fake/lab.ts';
import { USAGE_ANNOTATION } from './fake/pod-memory.ts';

type Json = Record<string, any>;

/** k8s/prober/ without the objects (roles and their bindings) of these names. */
const without = (...names: string[]): Json[] =>
  proberRbac().filter((o) => !names.includes(String((o.metadata as Json | undefined)?.name)));

const ROWS = [
  {
    mode: 'ephemeral',
    keeps: 'prober-source',
    drops: 'prober-probe-pod',
    // The probe pod's first call in the namespace: its LimitRanges.
    otherRefused: 'list limitranges',
  },
  { mode: 'pod', keeps: 'prober-probe-pod', drops: 'prober-source', otherRefused: 'patch pods/ephemeralcontainers' },
] as const;

for (const row of ROWS) {
  t.test(`--agent=${row.mode} runs with only the Role ${row.keeps} (and the ClusterRole prober)`, async (t) => {
    const lab = await clusterLab(t, { rbac: without(row.drops, 'prober-from-policies') });
    const run = await runLab(lab, `--agent=${row.mode}`);
    t.equal(run.code, 0, run.stderr);
    t.same(
      lab.fake.requests.filter((r) => r.code === 403).map((r) => `${r.verb} ${r.resource}`),
      [],
      'nothing refused',
    );
    // The other mode is refused, once per source, naming what to add.
    const other = await runLab(lab, `--agent=${row.mode === 'pod' ? 'ephemeral' : 'pod'}`);
    t.equal(other.code, 2, other.stderr);
    const [apache] = (JSON.parse(other.stdout) as Json).sources;
    t.match(apache.error, `forbidden: missing RBAC permission to ${row.otherRefused} in namespace b-apacherr`);
  });
}

t.test('the ephemeral-only Role cannot start probe pods: the refusal names the opt-in Role', async (t) => {
  const lab = await clusterLab(t, { rbac: without('prober-probe-pod') });
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 2, run.stderr);
  const [apache] = (JSON.parse(run.stdout) as Json).sources;
  t.match(
    apache.error,
    /^forbidden: missing RBAC permission to list limitranges in namespace b-apacherr \(prober creates probe pods only where the opt-in Role prober-probe-pod is \(creating pods runs code as any service account there\); add it to b-apacherr with: kubectl apply -n b-apacherr -k k8s\/prober\/probe-pod-namespace, or keep agents ephemeral there \(--agent=ephemeral\)\)/,
  );
});

t.test('auto with the ephemeral-only Role: a pod without memory room is an error naming the opt-in Role', async (t) => {
  const lab = await clusterLab(t, { rbac: without('prober-probe-pod') });
  const apache = lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json;
  apache.spec.containers[0].resources = { limits: { memory: '128Mi' } };
  apache.metadata.annotations = { [USAGE_ANNOTATION]: '100Mi' };
  const run = await runLab(lab);
  t.equal(run.code, 2, run.stderr);
  const [a, app] = (JSON.parse(run.stdout) as Json).sources;
  t.match(a, { agent: 'pod', error: /prober-probe-pod/ });
  t.match(app, { agent: 'ephemeral' });
  t.notOk(app.error);
});
