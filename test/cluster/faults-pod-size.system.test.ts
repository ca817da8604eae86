// A source pod object near etcd's size limit, as a real API server refuses it, played by the fake
// (there is no cluster on these machines; the Kubernetes API is an in-process fake, the agents are the
// real `prober agent`).
// Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents, faults-admission,
// faults-quota, faults-pod-size and faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;

const APACHE = ['b-apacherr', 'apacherr-6c9f7d-x2x4q'] as const;

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
  oldAgents(lab, 12, 500);
  const run = await runLab(lab);
  t.equal(run.code, 0, run.stderr);
  t.match(
    run.stderr,
    /apache: pod b-apacherr\/apacherr-6c9f7d-x2x4q already holds 12 prober agent containers \(ephemeral containers are never removed; it is \d+ KiB of etcd's 1\.5 MiB per object\): run with --agent=pod, or replace the pod/,
  );
  t.notMatch(run.stderr, /app: pod/, 'the app pod holds none');
  t.equal((lab.fake.pod(...APACHE) as Json).spec.ephemeralContainers.length, 13);
});

t.test('a source pod near the size budget is not patched: its source errors with the way out (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  const pod = oldAgents(lab, 40, 0);
  const room = 1024 * 1024 - 1024 - JSON.stringify(pod).length;
  for (const container of pod.spec.ephemeralContainers) container.env[0].value = 'x'.repeat(Math.floor(room / 40));
  const run = await runLab(lab);
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
