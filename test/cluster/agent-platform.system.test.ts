// The agent image's platform against the source pod's node: prober's image holds one linux/amd64 binary,
// so a source on an arm64 or Windows node is refused at once with the node's kubernetes.io/arch and
// kubernetes.io/os (or, under --agent=auto, probed from a probe pod kept to linux/amd64 nodes), never
// left to an image pull that fails or a container that cannot exec. The API server is a fake (no cluster
// here); the agents are the real `prober agent`.

import t, { type Test } from 'tap';
import { type NodePlatform, platformMismatch } from '../../src/cluster/agent-platform.ts';
import { clusterLab, runLab } from './fake/lab.ts';

type Json = Record<string, any>;
const AMD64 = ['linux/amd64'];

t.test('which nodes the linux/amd64 image runs on', async (t) => {
  const rows: [string, NodePlatform, string | undefined][] = [
    ['linux/amd64', { os: 'linux', arch: 'amd64', from: 'node a' }, undefined],
    ['unknown: not refused', { from: 'a node its spec asks for' }, undefined],
    [
      'arm64',
      { os: 'linux', arch: 'arm64', from: 'node a' },
      'node a (kubernetes.io/arch=arm64, kubernetes.io/os=linux), where the agent image, built for linux/amd64 only, cannot run',
    ],
    [
      'windows, from the pod spec',
      { os: 'windows', from: 'a node its spec asks for' },
      'a node its spec asks for (kubernetes.io/os=windows), where the agent image, built for linux/amd64 only, cannot run',
    ],
  ];
  for (const [name, node, want] of rows) t.equal(platformMismatch(node, AMD64), want, name);
});

/** The lab with Apache's pod on an arm64 node. */
async function armLab(t: Test) {
  const lab = await clusterLab(t);
  lab.fake.addNode('arm-1', { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' });
  (lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json).spec.nodeName = 'arm-1';
  const admitted: Json[] = [];
  const admit = lab.fake.admission.admitCreate.bind(lab.fake.admission);
  lab.fake.admission.admitCreate = (namespace, pod, existing) => {
    admit(namespace, pod, existing);
    admitted.push(pod);
  };
  return { lab, admitted };
}

t.test('--agent=ephemeral on an arm64 node: refused at once, naming the node, nothing patched', async (t) => {
  const { lab } = await armLab(t);
  const run = await runLab(lab, '--agent=ephemeral');
  t.equal(run.code, 2, run.stderr);
  const [apache, app] = (JSON.parse(run.stdout) as Json).sources;
  t.equal(
    apache.error,
    'pod b-apacherr/apacherr-6c9f7d-x2x4q runs on node arm-1 (kubernetes.io/arch=arm64, kubernetes.io/os=linux), where the agent image, built for linux/amd64 only, cannot run: run with --agent=pod (a probe pod on a linux/amd64 node) or --agent=auto, or pass --image with a multi-arch prober image',
  );
  t.notOk(app.error);
  t.same(
    lab.fake.seen('patch', 'pods/ephemeralcontainers').map((r) => r.namespace),
    ['c-app-count'],
  );
});

t.test('auto on an arm64 node: a probe pod kept to linux/amd64 nodes, and the report says why', async (t) => {
  const { lab, admitted } = await armLab(t);
  const run = await runLab(lab);
  t.equal(run.code, 0, run.stderr);
  const [apache] = (JSON.parse(run.stdout) as Json).sources;
  t.match(apache, {
    agent: 'pod',
    agentReason:
      /node arm-1 \(kubernetes\.io\/arch=arm64, kubernetes\.io\/os=linux\), where the agent image, built for linux\/amd64 only, cannot run: a probe pod instead$/,
  });
  t.same(admitted.find((p) => p.metadata.namespace === 'b-apacherr')?.spec.nodeSelector, {
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  });
});

t.test('an image given with --image is trusted to run there', async (t) => {
  const { lab } = await armLab(t);
  const run = await runLab(lab, '--agent=ephemeral', '--image', 'ghcr.io/prober-dev/prober:0.1.0');
  t.equal(run.code, 0, run.stderr);
});

t.test('a Windows pod whose node cannot be read: refused from its spec.os', async (t) => {
  const lab = await clusterLab(t);
  const pod = lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json;
  pod.spec.nodeName = 'gone-1';
  pod.spec.os = { name: 'windows' };
  const run = await runLab(lab, '--agent=ephemeral');
  t.equal(run.code, 2, run.stderr);
  t.match(
    (JSON.parse(run.stdout) as Json).sources[0].error,
    /runs on a node its spec asks for \(kubernetes\.io\/os=windows\), where the agent image/,
  );
});
