// ClusterNetworkPolicy `nodes` egress peers (network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go,
// `ClusterNetworkPolicyEgressPeer.Nodes`: "selects the nodeIPs ... present in the node.Status.Addresses field";
// "if present but empty, it selects all Nodes"). Decided from the Node objects the inputs give, else undecidable.
import t from 'tap';
import { buildModel, type NodeInput } from '../../src/policy/index.ts';
import { checkMatrix, docs, indent, NAMESPACES, topologyWorkloads } from './harness.ts';

const cnp = (spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: nodes}\nspec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {matchLabels: {ns: x}}}\n${indent(spec)}\n---\n`;
const NODES: NodeInput[] = [
  { name: 'worker-1', labels: { role: 'worker' }, addresses: ['192.168.0.11', 'fd00::11', 'worker-1'] },
  { name: 'cp-1', labels: { role: 'control-plane' }, addresses: ['192.168.0.1'] },
];
const model = (policies: string, nodes?: NodeInput[]) =>
  buildModel({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: topologyWorkloads(),
    policies: docs(policies),
    ...(nodes ? { nodes } : {}),
  });

t.test(
  "a nodes peer never matches pods: the model's pods are on the pod network (hostNetwork pods are left out)",
  (t) => {
    const m = model(cnp('egress:\n- {action: Deny, to: [{nodes: {}}]}'));
    checkMatrix(t, m, ['allow * -> *'], 80, 'TCP');
    t.end();
  },
);

const rows: [string, string, Computed][] = [
  ['a selected node (InternalIP)', '192.168.0.11', 'deny'],
  ['a selected node (its IPv6 address)', 'fd00::11', 'deny'],
  ['a node the selector leaves out', '192.168.0.1', 'allow'],
  ['an address of no node', '203.0.113.9', 'allow'],
];
type Computed = 'allow' | 'deny' | 'unknown';

t.test('with Node objects: the selected nodes’ status.addresses are matched', (t) => {
  const m = model(cnp('egress:\n- {action: Deny, to: [{nodes: {matchLabels: {role: worker}}}]}'), NODES);
  for (const [name, ip, want] of rows)
    t.equal(m.decide({ from: { workload: 'x/a' }, to: { ip }, port: 10250 }).computed, want, name);
  const all = model(cnp('egress:\n- {action: Deny, to: [{nodes: {}}]}'), NODES);
  t.equal(
    all.decide({ from: { workload: 'x/a' }, to: { ip: '192.168.0.1' }, port: 22 }).computed,
    'deny',
    '{} selects every node',
  );
  const none = model(cnp('egress:\n- {action: Deny, to: [{nodes: {matchLabels: {role: gpu}}}]}'), NODES);
  t.equal(
    none.decide({ from: { workload: 'x/a' }, to: { name: 'api.example.com' }, port: 443 }).computed,
    'allow',
    'no node selected: a name is none of theirs',
  );
  t.end();
});

t.test('without Node objects: an address a node may have is undecidable, with the reason', (t) => {
  const m = model(cnp('egress:\n- {action: Deny, to: [{nodes: {}}]}'));
  const d = m.decide({ from: { workload: 'x/a' }, to: { ip: '192.168.0.11' }, port: 10250 });
  t.equal(d.computed, 'unknown');
  t.match(d.egress?.explanation, /ClusterNetworkPolicy nodes egress\[0\].*the inputs give no Node objects/);
  t.equal(
    m.decide({ from: { workload: 'y/a' }, to: { ip: '192.168.0.11' }, port: 10250 }).computed,
    'allow',
    'y is no subject',
  );
  t.end();
});

const refusals: [string, string, RegExp][] = [
  [
    'nodes in an ingress peer',
    'ingress: [{action: Deny, from: [{nodes: {}}]}]',
    /spec\.ingress\[0\]\.from\[0\]\.nodes: unsupported field/,
  ],
  [
    'a named port with nodes (the experimental CRD CEL rule)',
    'egress: [{action: Deny, to: [{nodes: {}}], protocols: [{destinationNamedPort: web}]}]',
    /networks\/nodes\/domainNames peer cannot be set with namedPorts/,
  ],
  [
    'a bad selector operator',
    'egress: [{action: Deny, to: [{nodes: {matchExpressions: [{key: a, operator: Equals}]}}]}]',
    /nodes\.matchExpressions\[0\]\.operator/,
  ],
];

t.test('the CRD rules on node peers are applied', (t) => {
  for (const [name, spec, error] of refusals) t.throws(() => model(cnp(spec)), { message: error }, name);
  t.end();
});
