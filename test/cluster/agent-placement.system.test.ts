// Where a run puts its agents: two sources on one pod, runs spread over a workload's Ready pods, and the
// cap on prober containers per pod. The Kubernetes API server is a fake (no cluster on these machines)
// whose ephemeral-container validation is upstream's (pkg/apis/core/validation ValidatePodEphemeralContainersUpdate:
// container names unique across the pod); the agents are the real `prober agent`.

import t from 'tap';
import { clusterLab, LAB_TEST, labRunArgs } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

/** LAB_TEST plus a second source, `apache2`, with Apache's selector: both pick the same one pod. */
const TWO_ON_ONE = LAB_TEST.replace(
  '  targets:',
  '    apache2: { namespace: b-apacherr, selector: { app: apacherr } }\n  targets:',
).concat('    - { from: apache2, to: app, verdict: allow }\n    - { from: apache2, to: redis, verdict: deny }\n');

t.test('two sources that pick the same pod each get an agent of their own name (no 422)', async (t) => {
  const lab = await clusterLab(t);
  const run = await runProber(labRunArgs(lab, lab.testFile(TWO_ON_ONE)));
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.same(
    report.sources.filter((s: Json) => s.name.startsWith('apache')).map((s: Json) => [s.name, s.pod, s.error]),
    [
      ['apache', 'apacherr-6c9f7d-x2x4q', undefined],
      ['apache2', 'apacherr-6c9f7d-x2x4q', undefined],
    ],
  );
  const names = (lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json).spec.ephemeralContainers.map(
    (c: Json) => c.name,
  );
  t.equal(names.length, 2);
  t.equal(new Set(names).size, 2, 'distinct container names');
});

/** A second Ready Apache pod, younger than the lab's, in the same network namespace. */
function secondApache(lab: Awaited<ReturnType<typeof clusterLab>>): void {
  lab.fake.addPod({
    namespace: 'b-apacherr',
    name: 'apacherr-6c9f7d-b7k2m',
    labels: { app: 'apacherr', 'pod-template-hash': '6c9f7d' },
    serviceAccountName: 'apacherr',
    netns: lab.pair.client,
    ip: lab.pair.clientIp,
    ageSeconds: 600,
    ports: [{ containerPort: 80 }],
  });
}

const agentsIn = (lab: Awaited<ReturnType<typeof clusterLab>>, name: string): number =>
  ((lab.fake.pod('b-apacherr', name) as Json).spec.ephemeralContainers ?? []).length;

t.test('runs spread over the Ready pods, fewest prober containers first, and say what they left', async (t) => {
  const lab = await clusterLab(t);
  secondApache(lab);
  const picked: string[] = [];
  for (let run = 0; run < 3; run++) {
    const done = await runProber(labRunArgs(lab, lab.testFile(LAB_TEST)));
    t.equal(done.code, 0, done.stderr);
    const apache = (JSON.parse(done.stdout) as Json).sources.find((s: Json) => s.name === 'apache');
    picked.push(apache.pod);
    t.match(
      apache.left,
      new RegExp(
        `^ephemeral container prober-[a-z0-9]+-0 in b-apacherr/${apache.pod} \\(\\d of at most 20 prober containers there; removed only when the pod is replaced\\)$`,
      ),
    );
  }
  // The oldest first (ties of count), then the one with fewer, then the oldest again.
  t.same(picked, ['apacherr-6c9f7d-x2x4q', 'apacherr-6c9f7d-b7k2m', 'apacherr-6c9f7d-x2x4q']);
  t.same([agentsIn(lab, 'apacherr-6c9f7d-x2x4q'), agentsIn(lab, 'apacherr-6c9f7d-b7k2m')], [2, 1]);
});

t.test('two sources of one workload in one run go to different pods when there are two', async (t) => {
  const lab = await clusterLab(t);
  secondApache(lab);
  const run = await runProber(labRunArgs(lab, lab.testFile(TWO_ON_ONE)));
  t.equal(run.code, 0, run.stderr);
  const pods = (JSON.parse(run.stdout) as Json).sources
    .filter((s: Json) => s.name.startsWith('apache'))
    .map((s: Json) => s.pod);
  t.equal(new Set(pods).size, 2, `one each: ${pods}`);
});

t.test('a pod at the cap of prober containers is refused with its name and the way out', async (t) => {
  const lab = await clusterLab(t);
  const pod = lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json;
  pod.spec.ephemeralContainers = Array.from({ length: 20 }, (_, i) => ({
    name: `prober-old${i}-0`,
    image: 'ghcr.io/prober-dev/prober:0.1.0',
    command: ['prober', 'agent'],
  }));
  const run = await runProber(labRunArgs(lab, lab.testFile(LAB_TEST)));
  t.equal(run.code, 2, run.stderr);
  const [apache, app] = (JSON.parse(run.stdout) as Json).sources;
  t.equal(
    apache.error,
    'pod b-apacherr/apacherr-6c9f7d-x2x4q already holds 20 prober agent containers, the most prober adds to one pod (ephemeral containers are never removed), and the workload has no Ready pod with fewer: run with --agent=pod, or replace the pod (e.g. kubectl rollout restart) to start from an empty spec',
  );
  t.equal(app.error, undefined);
  t.equal(agentsIn(lab, 'apacherr-6c9f7d-x2x4q'), 20, 'not patched');
});
