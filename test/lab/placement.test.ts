// Nodes, zones and where the lab places each pod: Node manifests or the two default nodes; nodeName,
// nodeSelector and required node affinity; replicas spread round-robin; the downward API env.

import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { DEFAULT_NODES } from '../../src/lab/placement.ts';
import { deriveTopology } from '../../src/lab/topology.ts';

const node = (name: string, zone: string) => ({
  value: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } },
  source: `nodes.yaml:${name}`,
});

const deployment = (name: string, replicas: number | undefined, podSpec: Record<string, unknown> = {}) => ({
  value: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c' }], ...podSpec } },
    },
  },
  source: `${name}.yaml:1`,
});

const placement = (manifests: Parameters<typeof deriveTopology>[1]) =>
  deriveTopology('lab', manifests).pods.map((p) => `${p.name}@${p.node}`);

t.test('without Node manifests: two default nodes in two zones, replicas spread round-robin', async (t) => {
  const topology = deriveTopology('lab', [deployment('pippo', 4), deployment('paperino', 3)]);
  t.same(
    topology.nodes.map((n) => [n.name, n.zone]),
    DEFAULT_NODES.map((n) => [n.name, n.zone]),
  );
  t.same(
    topology.pods.map((p) => `${p.name}@${p.node}`),
    [
      'pippo-0@node-a',
      'pippo-1@node-b',
      'pippo-2@node-a',
      'pippo-3@node-b',
      'paperino-0@node-a',
      'paperino-1@node-b',
      'paperino-2@node-a',
    ],
  );
  t.equal(new Set(topology.pods.map((p) => p.ip)).size, 7, 'every replica has its own address');
});

t.test('replicas default to 1; 0 runs none; too many or not a number is refused at the field', async (t) => {
  t.same(placement([deployment('one', undefined)]), ['one-0@node-a']);
  t.same(placement([deployment('none', 0), deployment('one', 1)]), ['one-0@node-a']);
  const error = t.throws(() => deriveTopology('lab', [deployment('many', 65)]));
  t.type(error, ConfigError);
  t.match(String(error), /^many\.yaml:1: spec\.replicas: the lab runs 0 to 64 replicas of a workload, got 65$/);
  t.match(String(t.throws(() => deriveTopology('lab', [deployment('odd', 1.5)]))), /^odd\.yaml:1: spec\.replicas: /);
});

t.test('Node manifests replace the defaults; nodeName, nodeSelector and zone affinity place pods', async (t) => {
  const nodes = [node('n1', 'east'), node('n2', 'east'), node('n3', 'west')];
  // Zones first (east, west, east, west), then the workload's emptier node in the zone.
  t.same(placement([...nodes, deployment('spread', 4)]), ['spread-0@n1', 'spread-1@n3', 'spread-2@n2', 'spread-3@n3']);
  t.same(placement([...nodes, deployment('pinned', 2, { nodeName: 'n3' })]), ['pinned-0@n3', 'pinned-1@n3']);
  t.same(placement([...nodes, deployment('west', 2, { nodeSelector: { 'topology.kubernetes.io/zone': 'west' } })]), [
    'west-0@n3',
    'west-1@n3',
  ]);
  const affinity = {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['east'] }] },
          ],
        },
      },
    },
  };
  t.same(placement([...nodes, deployment('east', 3, affinity)]), ['east-0@n1', 'east-1@n2', 'east-2@n1']);
  t.same(
    deriveTopology('lab', nodes).nodes.map((n) => n.labels['kubernetes.io/hostname']),
    ['n1', 'n2', 'n3'],
    'kubernetes.io/hostname defaults to the name',
  );
});

t.test('a pod no node can take is refused with file, field and the nodes', async (t) => {
  t.match(
    String(t.throws(() => deriveTopology('lab', [deployment('lost', 1, { nodeName: 'nowhere' })]))),
    /^lost\.yaml:1: spec\.template\.spec\.nodeName: pod shop\/lost-0 names node nowhere, which the lab does not have \(nodes: node-a, node-b\)$/,
  );
  t.match(
    String(
      t.throws(() =>
        deriveTopology('lab', [deployment('lost', 1, { nodeSelector: { 'topology.kubernetes.io/zone': 'moon' } })]),
      ),
    ),
    /^lost\.yaml:1: spec\.template\.spec\.nodeSelector: no lab node matches pod shop\/lost-0's nodeSelector and node affinity \(nodes: node-a in zone-a, node-b in zone-b\)/,
  );
});

t.test('env from the downward API: pod name, namespace, node and address', async (t) => {
  const env = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.podIP', 'metadata.uid'].map(
    (fieldPath, i) => ({
      name: `V${i}`,
      valueFrom: { fieldRef: { fieldPath } },
    }),
  );
  const topology = deriveTopology('lab', [
    deployment('pippo', 2, { containers: [{ name: 'c', env: [{ name: 'PLAIN', value: 'x' }, ...env] }] }),
  ]);
  const second = topology.pods[1]!;
  t.same(
    second.containers[0]!.env,
    { PLAIN: 'x', V0: 'pippo-1', V1: 'shop', V2: 'node-b', V3: second.ip },
    'unknown fields are left out',
  );
});

t.test('replicas spread over zones before nodes: 10 and 6 pods on four nodes in two zones', async (t) => {
  const nodes = [node('a1', 'zone-a'), node('a2', 'zone-a'), node('b1', 'zone-b'), node('b2', 'zone-b')];
  const topology = deriveTopology('lab', [...nodes, deployment('pippo', 10), deployment('paperino', 6)]);
  const zone = (n: string) => (n.startsWith('a') ? 'zone-a' : 'zone-b');
  for (const app of ['pippo', 'paperino']) {
    const pods = topology.pods.filter((p) => p.labels.app === app);
    const perZone = ['zone-a', 'zone-b'].map((z) => pods.filter((p) => zone(p.node) === z).length);
    const perNode = ['a1', 'a2', 'b1', 'b2'].map((n) => pods.filter((p) => p.node === n).length);
    t.same(perZone, app === 'pippo' ? [5, 5] : [3, 3], `${app}: as many in each zone`);
    t.ok(Math.max(...perNode) - Math.min(...perNode) <= 1, `${app}: nodes within one pod of each other (${perNode})`);
  }
});

t.test('a DaemonSet runs one pod on each node it may run on', async (t) => {
  const daemonSet = (podSpec: Record<string, unknown>) => ({
    value: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'ops' },
      spec: { template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c' }], ...podSpec } } },
    },
    source: 'agent.yaml:1',
  });
  t.same(placement([daemonSet({})]), ['agent-0@node-a', 'agent-1@node-b']);
  const nodes = [node('n1', 'east'), node('n2', 'east'), node('n3', 'west')];
  t.same(placement([...nodes, daemonSet({ nodeSelector: { 'topology.kubernetes.io/zone': 'east' } })]), [
    'agent-0@n1',
    'agent-1@n2',
  ]);
});
