// Istio subset: AuthorizationPolicy ALLOW/DENY with namespaces, principals, ports; PeerAuthentication.
import t from 'tap';
import { indent, type Row, runRows, topologyModel } from './harness.ts';

const ap = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:${spec.trim() === '{}' ? ' {}' : `\n${indent(spec)}`}\n---\n`;
const pa = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;

const mesh = { assumeMesh: true };
const allowFromY = ap(
  'x',
  'from-y',
  'selector: {matchLabels: {pod: a}}\naction: ALLOW\nrules:\n- from: [{source: {namespaces: [y]}}]',
);

const rows: Row[] = [
  {
    name: 'ALLOW from a namespace',
    policies: allowFromY,
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a'],
  },
  {
    name: 'ALLOW by principal (service account identity)',
    policies: ap('x', 'sa', 'action: ALLOW\nrules:\n- from: [{source: {principals: [cluster.local/ns/z/sa/default]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'principal patterns: prefix and suffix',
    policies: ap('x', 'sa', 'rules:\n- from: [{source: {principals: ["cluster.local/ns/y/*", "*/ns/z/sa/default"]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*', 'allow z/* -> x/*'],
  },
  {
    // istio.io reference, Authorization Policy (istio/api security/v1beta1/authorization.proto): "AUDIT policies do
    // not affect whether requests are allowed or denied to the workload".
    name: 'an AUDIT policy decides nothing (its matches are only logged)',
    policies:
      allowFromY +
      ap(
        'x',
        'audit',
        'selector: {matchLabels: {pod: a}}\naction: AUDIT\nrules:\n- from: [{source: {namespaces: [y, z]}}]',
      ),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a'],
  },
  {
    name: 'DENY beats ALLOW',
    policies:
      allowFromY +
      ap(
        'x',
        'not-yb',
        'action: DENY\nrules:\n- from: [{source: {principals: [cluster.local/ns/y/sa/default]}}]\n  to: [{operation: {ports: ["80"]}}]',
      ),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/a', 'deny y/* -> x/*'],
  },
  {
    name: 'an ALLOW policy with no rules allows nothing',
    policies: ap('x', 'nothing', '{}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'an empty rule allows everything',
    policies: ap('x', 'nothing', '{}') + ap('x', 'all', 'rules: [{}]'),
    options: mesh,
    expect: ['allow * -> *'],
  },
  {
    name: 'to.operation.ports: 81 only (probing 80)',
    policies: ap('x', 'p81', 'rules:\n- to: [{operation: {ports: ["81"]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'to.operation.ports: 81 only (probing 81)',
    policies: ap('x', 'p81', 'rules:\n- to: [{operation: {ports: ["81"]}}]'),
    options: mesh,
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'UDP bypasses the sidecar',
    policies: ap('x', 'nothing', '{}'),
    options: mesh,
    protocol: 'UDP',
    expect: ['allow * -> *'],
  },
  { name: 'not enforced without sidecars', policies: ap('x', 'nothing', '{}'), expect: ['allow * -> *'] },
  {
    name: 'sidecars inferred from istio-injection=enabled; sources outside the mesh have no identity',
    policies: allowFromY,
    namespaceLabels: { x: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny * -> x/a'],
  },
  {
    name: 'notNamespaces holds for plaintext sources',
    policies: ap('x', 'deny-others', 'action: DENY\nrules:\n- from: [{source: {notNamespaces: [x]}}]'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny y/* -> x/*', 'deny z/* -> x/*'],
  },
  {
    name: 'PeerAuthentication STRICT rejects sources without a sidecar',
    policies: pa('x', 'strict', 'mtls: {mode: STRICT}'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny * -> x/*', 'allow x/* -> x/*'],
  },
  {
    name: 'workload PeerAuthentication port override to PERMISSIVE',
    policies:
      pa('x', 'strict', 'mtls: {mode: STRICT}') +
      pa('x', 'a-80', 'selector: {matchLabels: {pod: a}}\nportLevelMtls: {"80": {mode: PERMISSIVE}}'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny * -> x/b', 'deny * -> x/c', 'allow x/* -> x/*'],
  },
  {
    name: 'PeerAuthentication DISABLE removes identities',
    policies: allowFromY + pa('x', 'plain', 'mtls: {mode: DISABLE}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/a'],
  },
  {
    name: 'a policy in the root namespace applies mesh-wide',
    policies: ap(
      'istio-system',
      'only-x',
      'selector: {matchLabels: {pod: c}}\nrules:\n- from: [{source: {namespaces: [x]}}]',
    ),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> */c', 'allow x/* -> */c'],
  },
  {
    name: 'ipBlocks match pod IPs',
    policies: ap('x', 'ips', 'rules:\n- from: [{source: {ipBlocks: [10.0.3.0/24]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
];

runRows(t, rows);

t.test('mesh decisions explain the layer', (t) => {
  const model = topologyModel(allowFromY, mesh);
  const d = model.decide({ from: { workload: 'z/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(d.verdict, 'deny');
  t.equal(d.deniedAt, 'mesh');
  t.equal(d.mesh?.enforced, true);
  t.same(d.mesh?.policies, ['AuthorizationPolicy x/from-y']);
  t.match(d.explanation.join('\n'), /AuthorizationPolicy x\/from-y apply and no ALLOW rule matches z\/a/);
  const ok = model.decide({ from: { workload: 'y/c' }, to: { workload: 'x/a' }, port: 80 });
  t.same(ok.mesh?.rules, ['AuthorizationPolicy x/from-y rules[0]']);
  const outside = topologyModel(allowFromY).decide({ from: { workload: 'z/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(outside.verdict, 'allow');
  t.match(outside.explanation.join('\n'), /not enforced \(has no sidecar\); AuthorizationPolicy x\/from-y not applied/);
  t.end();
});
