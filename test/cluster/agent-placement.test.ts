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
