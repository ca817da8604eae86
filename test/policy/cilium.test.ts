// CiliumNetworkPolicy subset: endpoint selectors, namespace scoping, toPorts, entities, deny rules.
import t from 'tap';
import { indent, np, type Row, runRows, topologyModel } from './harness.ts';

const cnp = (ns: string, name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const ccnp = (name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;
const rows: Row[] = [
  {
    name: 'fromEndpoints without a namespace label means the policy namespace',
    policies: cnp(
      'x',
      'same-ns',
      'endpointSelector: {matchLabels: {pod: a}}\ningress:\n- fromEndpoints: [{matchLabels: {pod: b}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow x/b -> x/a'],
  },
  {
    name: 'fromEndpoints across namespaces with k8s:io.kubernetes.pod.namespace',
    policies: cnp(
      'x',
      'from-y',
      'endpointSelector: {}\ningress:\n- fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": y, pod: b}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/b -> x/*'],
  },
  {
    name: 'namespace labels as io.cilium.k8s.namespace.labels.*',
    policies: cnp(
      'x',
      'ns-labels',
      'endpointSelector: {}\ningress:\n- fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: z}}, {matchLabels: {io.cilium.k8s.namespace.labels.ns: x}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*', 'allow x/* -> x/*'],
  },
  {
    name: 'a namespace-label selector is not narrowed to the policy namespace',
    policies: cnp(
      'x',
      'from-ns-y',
      'endpointSelector: {}\ningress:\n- fromEndpoints: [{matchLabels: {k8s:io.cilium.k8s.namespace.labels.ns: y}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'empty fromEndpoints selector: every pod of the namespace',
    policies: cnp('x', 'ns-only', 'endpointSelector: {}\ningress:\n- fromEndpoints: [{}]'),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow x/* -> x/*'],
  },
  {
    name: 'an empty rule isolates and allows nothing',
    policies: cnp('x', 'deny', 'endpointSelector: {}\ningress:\n- {}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'an empty ingress list does not isolate',
    policies: cnp('x', 'noop', 'endpointSelector: {}\ningress: []'),
    expect: ['allow * -> *'],
  },
  {
    name: 'toPorts alone allows every peer on those ports (port 80 listed)',
    policies: cnp('x', 'l4', 'endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: "80", protocol: TCP}]}]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'toPorts alone: other ports denied',
    policies: cnp('x', 'l4', 'endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: "80", protocol: TCP}]}]'),
    port: 81,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'protocol ANY (default) covers UDP',
    policies: cnp('x', 'any', 'endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: "80"}]}]'),
    protocol: 'UDP',
    expect: ['allow * -> *'],
  },
  {
    name: 'named port in toPorts',
    policies: cnp('x', 'named', 'endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: serve-81-tcp}]}]'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'egress toEndpoints with a port range',
    policies: cnp(
      'x',
      'egress',
      'endpointSelector: {matchLabels: {pod: a}}\negress:\n- toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: z}}]\n  toPorts: [{ports: [{port: "79", endPort: 80, protocol: TCP}]}]',
    ),
    expect: ['allow * -> *', 'deny x/a -> *', 'allow x/a -> z/*'],
  },
  {
    name: 'ingressDeny beats an allow, even a NetworkPolicy one',
    policies:
      np('x', 'allow-all', 'podSelector: {}\ningress: [{}]') +
      cnp(
        'x',
        'deny-y',
        'endpointSelector: {}\ningressDeny:\n- fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: y}}]',
      ),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'Cilium and NetworkPolicy allows are a union',
    policies:
      np('x', 'allow-y', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]') +
      cnp(
        'x',
        'allow-z',
        'endpointSelector: {}\ningress:\n- fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: z}}]',
      ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'fromEntities cluster allows every pod',
    policies: cnp('x', 'cluster', 'endpointSelector: {}\ningress:\n- fromEntities: [cluster]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'fromEntities world allows no pod',
    policies: cnp('x', 'world', 'endpointSelector: {}\ningress:\n- fromEntities: [world]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'enableDefaultDeny false: allow rules do not isolate',
    policies: cnp(
      'x',
      'soft',
      'endpointSelector: {}\nenableDefaultDeny: {ingress: false}\ningress:\n- fromEndpoints: [{matchLabels: {pod: a}}]',
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'clusterwide policy selects across namespaces',
    policies: ccnp(
      'b-only-from-a',
      'endpointSelector: {matchLabels: {pod: b}}\ningress:\n- fromEndpoints: [{matchLabels: {pod: a}}]',
    ),
    expect: ['allow * -> *', 'deny * -> */b', 'allow */a -> */b'],
  },
  {
    name: 'service account label',
    policies: cnp(
      'x',
      'sa',
      'endpointSelector: {}\ningress:\n- fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: default, io.kubernetes.pod.namespace: z}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
];

runRows(t, rows);

t.test('entities and CIDRs for outside addresses', (t) => {
  const world = topologyModel(cnp('x', 'world', 'endpointSelector: {}\ningress:\n- fromEntities: [world]'));
  t.equal(world.decide({ from: { ip: '203.0.113.9' }, to: { workload: 'x/a' }, port: 80 }).verdict, 'allow');
  const cluster = topologyModel(cnp('x', 'cluster', 'endpointSelector: {}\ningress:\n- fromEntities: [cluster]'));
  t.equal(cluster.decide({ from: { ip: '203.0.113.9' }, to: { workload: 'x/a' }, port: 80 }).verdict, 'deny');
  const cidr = topologyModel(
    cnp('x', 'cidr', 'endpointSelector: {}\negress:\n- toCIDRSet: [{cidr: 192.0.2.0/24, except: [192.0.2.128/25]}]'),
  );
  t.equal(cidr.decide({ from: { workload: 'x/a' }, to: { ip: '192.0.2.1' }, port: 443 }).verdict, 'allow');
  t.equal(cidr.decide({ from: { workload: 'x/a' }, to: { ip: '192.0.2.200' }, port: 443 }).verdict, 'deny');
  // Cilium never applies CIDR rules to pods: a pod IP inside the CIDR is not allowed by it.
  const podCidr = topologyModel(cnp('x', 'cidr', 'endpointSelector: {}\negress:\n- toCIDR: [10.0.0.0/8]'));
  t.equal(podCidr.decide({ from: { workload: 'x/a' }, to: { workload: 'y/a' }, port: 80 }).verdict, 'deny');
  t.end();
});
