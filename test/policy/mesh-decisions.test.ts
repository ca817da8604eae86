// The Istio layer's decisions, explained: at the destination's sidecar, mTLS first (STRICT refuses plaintext), then
// DENY policies, then ALLOW policies (istio.io, security/authorization-policy: "If there are any DENY policies that
// match the request, deny; if there are no ALLOW policies for the workload, allow; if any ALLOW policy matches,
// allow; deny otherwise"). UDP and pods without a sidecar are outside it.
import t from 'tap';
import { indent, topologyModel } from './harness.ts';

const ap = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const pa = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const mesh = { assumeMesh: true };
const query = (from: string, to: string, port = 80, protocol: 'TCP' | 'UDP' = 'TCP') => ({
  from: { workload: from },
  to: { workload: to },
  port,
  protocol,
});
const meshLine = (lines: readonly string[]): string | undefined => lines.find((l) => l.startsWith('mesh at '));

t.test('only DENY policies, none matching: allowed, and said so', async (t) => {
  const m = topologyModel(ap('x', 'no-z', 'action: DENY\nrules:\n- from: [{source: {namespaces: [z]}}]'), mesh);
  const d = m.decide(query('y/a', 'x/a'));
  t.equal(d.verdict, 'allow');
  t.same(d.mesh?.rules, []);
  t.same(d.mesh?.policies, ['AuthorizationPolicy x/no-z']);
  t.equal(meshLine(d.explanation), 'mesh at x/a: no ALLOW policy applies: allowed');
  const denied = m.decide(query('z/b', 'x/a'));
  t.equal(denied.verdict, 'deny');
  t.same(denied.mesh?.rules, ['AuthorizationPolicy x/no-z rules[0]']);
  t.equal(meshLine(denied.explanation), 'mesh at x/a: denied by AuthorizationPolicy x/no-z rules[0] (DENY)');
});

t.test('the first matching DENY rule is named, before any ALLOW', async (t) => {
  const m = topologyModel(
    ap('x', 'a-allow', 'rules: [{}]') +
      ap(
        'x',
        'b-deny',
        'action: DENY\nrules:\n- to: [{operation: {ports: ["81"]}}]\n- from: [{source: {namespaces: [y]}}]',
      ),
    mesh,
  );
  const d = m.decide(query('y/a', 'x/a'));
  t.same(d.mesh?.rules, ['AuthorizationPolicy x/b-deny rules[1]']);
  t.equal(m.decide(query('z/a', 'x/a')).verdict, 'allow');
  t.equal(
    meshLine(m.decide(query('z/a', 'x/a')).explanation),
    'mesh at x/a: allowed by AuthorizationPolicy x/a-allow rules[0] (ALLOW)',
  );
});

t.test(
  'no ALLOW rule matching: the policies are named, and a source without identity is said to have none',
  async (t) => {
    const policies = ap('x', 'only-y', 'rules:\n- from: [{source: {namespaces: [y]}}]');
    const withSidecars = topologyModel(policies, mesh).decide(query('z/a', 'x/a'));
    t.equal(
      meshLine(withSidecars.explanation),
      'mesh at x/a: AuthorizationPolicy x/only-y apply and no ALLOW rule matches z/a on 80: denied',
    );
    const plaintext = topologyModel(policies, {}, { x: { 'istio-injection': 'enabled' } }).decide(query('y/a', 'x/a'));
    t.equal(plaintext.verdict, 'deny', 'y has no sidecar, so no namespace identity');
    t.equal(
      meshLine(plaintext.explanation),
      'mesh at x/a: AuthorizationPolicy x/only-y apply and no ALLOW rule matches y/a (no mTLS identity) on 80: denied',
    );
  },
);

t.test('outside the sidecar: UDP, and destinations without one', async (t) => {
  const m = topologyModel(ap('x', 'nothing', 'rules: []'), mesh);
  const udp = m.decide(query('y/a', 'x/a', 80, 'UDP'));
  t.equal(udp.mesh?.enforced, false);
  t.equal(
    meshLine(udp.explanation),
    'mesh at x/a: not enforced (UDP bypasses the sidecar); AuthorizationPolicy x/nothing not applied',
  );
  const bare = topologyModel(ap('x', 'nothing', 'rules: []')).decide(query('y/a', 'x/a'));
  t.equal(
    meshLine(bare.explanation),
    'mesh at x/a: not enforced (has no sidecar); AuthorizationPolicy x/nothing not applied',
  );
});

t.test('DISABLE: sources lose their identity, so a principal rule no longer matches', async (t) => {
  const allowY = ap('x', 'from-y', 'rules:\n- from: [{source: {principals: [cluster.local/ns/y/sa/default]}}]');
  t.equal(topologyModel(allowY, mesh).decide(query('y/a', 'x/a')).verdict, 'allow');
  const plain = topologyModel(allowY + pa('x', 'plain', 'mtls: {mode: DISABLE}'), mesh).decide(query('y/a', 'x/a'));
  t.equal(plain.verdict, 'deny');
  t.equal(plain.mesh?.mtls, 'DISABLE');
  const m = topologyModel(allowY + pa('x', 'plain', 'mtls: {mode: DISABLE}'), mesh).matrix(80, 'TCP');
  const y = m.workloads.findIndex((w) => w.id === 'y/a');
  const x = m.workloads.findIndex((w) => w.id === 'x/a');
  t.equal(m.computed(y, x), 'deny', 'the matrix agrees');
});

t.test('a DENY rule on an IP block: the pods whose IPs it holds are denied', async (t) => {
  const m = topologyModel(
    ap('x', 'no-net', 'action: DENY\nrules:\n- from: [{source: {ipBlocks: [10.0.2.0/24]}}]'),
    mesh,
  );
  t.equal(m.decide(query('y/a', 'x/a')).verdict, 'deny', 'pod IPs known: y is in the block');
  t.equal(m.decide(query('z/a', 'x/a')).verdict, 'allow', 'z is not');
});
