// A hostNetwork source: its agent shares the node's network namespace, so its probes test the node, not a
// pod (NetworkPolicies select pods; a hostNetwork pod's traffic leaves from the node's address). Every
// cell says so, and a probe pod cloning it runs in the host network of the same node. The API server is a
// fake (no cluster here); the agents are the real `prober agent`.

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { probePod } from '../../src/cluster/probe-pod.ts';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;

const plan = {
  apiVersion: 'prober/v1alpha1',
  kind: 'ProbePlan',
  source: 'node',
  defaults: { timeoutMs: 1000, attempts: 1, concurrency: 4 },
  probes: [],
} as never;

t.test('the probe pod of a hostNetwork source is hostNetwork too, on the same node', async (t) => {
  const source = (hostNetwork: boolean): V1Pod => ({
    metadata: { name: 'agent-x', namespace: 'kube-system', uid: 'u1', labels: { app: 'node-agent' } },
    spec: { hostNetwork, nodeName: 'node-a', containers: [{ name: 'main', image: 'x' }] },
  });
  const host = probePod({
    source: source(true),
    sourceName: 'node',
    runId: 'r1',
    image: 'prober',
    plan,
    deadlineSeconds: 60,
  });
  t.match(host.spec, { hostNetwork: true, nodeName: 'node-a' });
  const pod = probePod({
    source: source(false),
    sourceName: 'node',
    runId: 'r1',
    image: 'prober',
    plan,
    deadlineSeconds: 60,
  });
  t.equal(pod.spec?.hostNetwork, undefined);
  t.equal(pod.spec?.nodeName, undefined, 'an ordinary source leaves placement to the scheduler');
});

for (const agent of ['ephemeral', 'pod']) {
  t.test(`--agent=${agent} from a hostNetwork pod: each of its cells says it tests the node`, async (t) => {
    const lab = await clusterLab(t);
    const apache = lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json;
    apache.spec.hostNetwork = true;
    apache.spec.nodeName = 'node-a';
    const admitted: Json[] = [];
    const admit = lab.fake.admission.admitCreate.bind(lab.fake.admission);
    lab.fake.admission.admitCreate = (namespace, pod, existing) => {
      admit(namespace, pod, existing);
      admitted.push(pod);
    };
    const run = await runLab(lab, `--agent=${agent}`);
    t.equal(run.code, 0, run.stderr);
    const cells = (JSON.parse(run.stdout) as Json).cells;
    const note =
      "from the node's network (hostNetwork pod apacherr-6c9f7d-x2x4q on node-a): this tests the node, not a pod";
    for (const cell of cells.filter((c: Json) => c.from === 'apache')) t.match(cell.detail, note, `${cell.to}`);
    for (const cell of cells.filter((c: Json) => c.from === 'app'))
      t.notMatch(cell.detail ?? '', 'node', `app → ${cell.to}`);
    if (agent === 'pod')
      t.match(admitted.find((p) => p.metadata.namespace === 'b-apacherr')?.spec, {
        hostNetwork: true,
        nodeName: 'node-a',
      });
  });
}
