// The Service DNAT each lab pod loads, per node: trafficDistribution keeps a pod's connections in its
// zone until the zone has no ready endpoint, internalTrafficPolicy: Local drops them when the node
// has none, and a Service without either spreads over every endpoint (pkg/proxy/topology.go).

import t from 'tap';
import { serviceNat } from '../../src/lab/netns.ts';
import { deriveTopology } from '../../src/lab/topology.ts';

const service = (name: string, spec: Record<string, unknown>) => ({
  value: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'zones' },
    spec: { selector: { app: 'cache' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  },
  source: `${name}.yaml:1`,
});

// Default nodes: node-a (zone-a), node-b (zone-b); client-0 on node-a, cache-0 on node-b (the emptier
// node), cache-1 on node-a (the zone without a cache pod yet).
const topology = deriveTopology('lab', [
  {
    value: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client-0', namespace: 'zones' },
      spec: { containers: [{ name: 'c' }] },
    },
    source: 'client.yaml:1',
  },
  {
    value: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cache', namespace: 'zones' },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: 'cache' } },
          spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
        },
      },
    },
    source: 'cache.yaml:1',
  },
  service('close', { trafficDistribution: 'PreferClose' }),
  service('local', { internalTrafficPolicy: 'Local' }),
  service('anywhere', {}),
]);
const [client, cache0, cache1] = topology.pods;
const ruleFor = (ruleset: string, name: string): string => {
  const ip = topology.services.find((s) => s.name === name)!.clusterIp;
  return ruleset.split('\n').find((line) => line.includes(`ip daddr ${ip} `)) ?? '';
};

t.test('placement the cases rely on', async (t) => {
  t.same([client!.node, cache0!.node, cache1!.node], ['node-a', 'node-b', 'node-a']);
});

t.test('a pod in zone-a reaches the zone-a endpoint only; Local the one on its node; no setting, both', async (t) => {
  const nat = serviceNat(topology, client);
  t.equal(ruleFor(nat, 'close').trim(), `ip daddr 10.96.0.10 tcp dport 80 dnat ip to ${cache1!.ip}:8080`);
  t.match(ruleFor(nat, 'local'), `dnat ip to ${cache1!.ip}:8080`);
  t.match(ruleFor(nat, 'anywhere'), `numgen random mod 2 map { 0 : ${cache0!.ip} . 8080, 1 : ${cache1!.ip} . 8080 }`);
});

t.test('when the zone-a endpoint stops: PreferClose falls back to zone-b, Local drops', async (t) => {
  const nat = serviceNat(topology, client, new Set([`zones/${cache1!.name}`]));
  t.match(ruleFor(nat, 'close'), `dnat ip to ${cache0!.ip}:8080`);
  t.match(ruleFor(nat, 'local'), /tcp dport 80 drop$/);
  t.match(ruleFor(nat, 'anywhere'), `dnat ip to ${cache0!.ip}:8080`);
});

t.test('without a client node (no topology), every ready endpoint as before', async (t) => {
  t.match(ruleFor(serviceNat(topology), 'close'), 'numgen random mod 2');
  t.match(ruleFor(serviceNat(topology), 'local'), 'numgen random mod 2');
});
