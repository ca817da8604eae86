// Which policies apply to a workload: PeerAuthentication's most specific level wins (port, workload, namespace,
// mesh-wide; UNSET inherits), admin policies run in priority-then-name order, and what is not enforced is said.
import t from 'tap';
import { indent, np, type Row, runRows, topologyModel } from './harness.ts';

const pa = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const ap = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: ${spec}\n---\n`;
const anp = (name: string, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;

/** Only x has sidecars: under STRICT, x's pods accept only x's pods (the others have no mesh identity). */
const meshX = { x: { 'istio-injection': 'enabled' } };
const STRICT_X = ['allow * -> *', 'deny * -> x/*', 'allow x/* -> x/*'];
const strictOn = (pod: string) => ['allow * -> *', `deny * -> x/${pod}`, `allow x/* -> x/${pod}`];
const podA = 'selector: {matchLabels: {pod: a}}';

// Upstream: istio.io docs, "PeerAuthentication": a workload policy overrides the namespace's, which overrides the
// root namespace's (mesh-wide, no selector); port-level settings override the workload's; UNSET inherits.
const rows: Row[] = [
  {
    name: 'mesh-wide STRICT (root namespace, no selector) applies in every namespace',
    policies: pa('istio-system', 'default', 'mtls: {mode: STRICT}'),
    namespaceLabels: meshX,
    expect: STRICT_X,
  },
  {
    name: 'a selector PeerAuthentication in the root namespace is not mesh-wide',
    policies: pa('istio-system', 'only-a', `${podA}\nmtls: {mode: STRICT}`),
    namespaceLabels: meshX,
    expect: ['allow * -> *'],
  },
  {
    name: "a namespace's PeerAuthentication overrides the mesh-wide one",
    policies: pa('istio-system', 'default', 'mtls: {mode: STRICT}') + pa('x', 'open', 'mtls: {mode: PERMISSIVE}'),
    namespaceLabels: meshX,
    expect: ['allow * -> *'],
  },
  {
    name: "a namespace's UNSET inherits the mesh-wide mode",
    policies: pa('istio-system', 'default', 'mtls: {mode: STRICT}') + pa('x', 'unset', 'mtls: {mode: UNSET}'),
    namespaceLabels: meshX,
    expect: STRICT_X,
  },
  {
    name: "another namespace's PeerAuthentication does not apply",
    policies: pa('y', 'strict', 'mtls: {mode: STRICT}'),
    namespaceLabels: meshX,
    expect: ['allow * -> *'],
  },
  {
    name: "a workload's PeerAuthentication overrides its namespace's",
    policies: pa('x', 'strict', 'mtls: {mode: STRICT}') + pa('x', 'a-open', `${podA}\nmtls: {mode: PERMISSIVE}`),
    namespaceLabels: meshX,
    expect: [...STRICT_X, 'allow * -> x/a'],
  },
  {
    name: "a workload's UNSET inherits its namespace's mode",
    policies: pa('x', 'strict', 'mtls: {mode: STRICT}') + pa('x', 'a-unset', `${podA}\nmtls: {mode: UNSET}`),
    namespaceLabels: meshX,
    expect: STRICT_X,
  },
  {
    name: "a workload selector in another namespace does not apply to x's pods",
    policies: pa('x', 'strict', 'mtls: {mode: STRICT}') + pa('y', 'a-open', `${podA}\nmtls: {mode: PERMISSIVE}`),
    namespaceLabels: meshX,
    expect: STRICT_X,
  },
  {
    name: "a port's UNSET inherits the workload's mode",
    policies: pa('x', 'a-strict', `${podA}\nmtls: {mode: STRICT}\nportLevelMtls: {"80": {mode: UNSET}}`),
    namespaceLabels: meshX,
    expect: strictOn('a'),
  },
  {
    name: "a port's mode applies to that port (probing 80)",
    policies: pa('x', 'a-81', `${podA}\nmtls: {mode: PERMISSIVE}\nportLevelMtls: {"81": {mode: STRICT}}`),
    namespaceLabels: meshX,
    expect: ['allow * -> *'],
  },
  {
    name: "a port's mode applies to that port (probing 81)",
    policies: pa('x', 'a-81', `${podA}\nmtls: {mode: PERMISSIVE}\nportLevelMtls: {"81": {mode: STRICT}}`),
    namespaceLabels: meshX,
    port: 81,
    expect: strictOn('a'),
  },
  {
    name: 'a workload PeerAuthentication with only port modes leaves other ports to the namespace',
    policies:
      pa('x', 'strict', 'mtls: {mode: STRICT}') + pa('x', 'a-81', `${podA}\nportLevelMtls: {"81": {mode: PERMISSIVE}}`),
    namespaceLabels: meshX,
    expect: STRICT_X,
  },
];

t.test('the most specific PeerAuthentication decides', async (t) => runRows(t, rows));

const subject = (ns: string) => `subject: {namespaces: {matchLabels: {ns: ${ns}}}}`;
const fromY = 'from: [{namespaces: {matchLabels: {ns: y}}}]';

t.test('equal admin priorities: warned about only when subjects overlap, evaluated by name', async (t) => {
  const overlap = topologyModel(
    anp('b-allow', `priority: 7\n${subject('x')}\ningress:\n- {action: Allow, ${fromY}}`) +
      anp('a-deny', `priority: 7\n${subject('x')}\ningress:\n- {action: Deny, ${fromY}}`),
  );
  t.same(overlap.warnings, [
    'AdminNetworkPolicy a-deny and AdminNetworkPolicy b-allow have the same priority 7 and overlapping subjects: their order is undefined; evaluated by name',
  ]);
  t.equal(overlap.matrix(80, 'TCP').computed(overlap.workload('y/a')!.index, overlap.workload('x/a')!.index), 'deny');
  const renamed = topologyModel(
    anp('a-allow', `priority: 7\n${subject('x')}\ningress:\n- {action: Allow, ${fromY}}`) +
      anp('b-deny', `priority: 7\n${subject('x')}\ningress:\n- {action: Deny, ${fromY}}`) +
      np('x', 'deny', 'podSelector: {}'),
  );
  t.equal(
    renamed.matrix(80, 'TCP').computed(renamed.workload('y/a')!.index, renamed.workload('x/a')!.index),
    'allow',
    'the first by name decides',
  );
  const apart = topologyModel(
    anp('one', `priority: 7\n${subject('x')}\ningress:\n- {action: Deny, ${fromY}}`) +
      anp('two', `priority: 7\n${subject('z')}\ningress:\n- {action: Deny, ${fromY}}`),
  );
  t.same(apart.warnings, [], 'subjects in different namespaces do not overlap');
  const ordered = topologyModel(
    anp('one', `priority: 7\n${subject('x')}\ningress:\n- {action: Deny, ${fromY}}`) +
      anp('two', `priority: 8\n${subject('x')}\ningress:\n- {action: Allow, ${fromY}}`),
  );
  t.same(ordered.warnings, [], 'different priorities have an order');
  t.equal(ordered.matrix(80, 'TCP').computed(ordered.workload('y/a')!.index, ordered.workload('x/a')!.index), 'deny');
});

t.test('an AuthorizationPolicy on workloads without a sidecar is said to be not enforced', async (t) => {
  const alone = topologyModel(ap('x', 'only-a', `{selector: {matchLabels: {pod: a}}}`));
  t.same(alone.warnings, [
    'AuthorizationPolicy x/only-a selects only workloads without an Istio sidecar (x/a): not enforced; label the namespace istio-injection=enabled or assume a mesh',
  ]);
  t.same(topologyModel(ap('x', 'only-a', `{selector: {matchLabels: {pod: a}}}`), { assumeMesh: true }).warnings, []);
  t.same(
    topologyModel(ap('x', 'none', `{selector: {matchLabels: {pod: d}}}`)).warnings,
    [],
    'a policy selecting nothing is not about sidecars',
  );
  const root = topologyModel(ap('istio-system', 'c', `{selector: {matchLabels: {pod: c}}}`), {}, meshX);
  t.same(root.warnings, [], 'a root-namespace policy reaches x/c, which has a sidecar');
});

t.test(
  'NetworkPolicies have no priority to tie on; an admin and a cluster policy at one priority go by name',
  async (t) => {
    t.same(
      topologyModel(np('x', 'one', 'podSelector: {}') + np('x', 'two', 'podSelector: {}')).warnings,
      [],
      'two NetworkPolicies on the same pods',
    );
    const cnp = (name: string, spec: string): string =>
      `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: Admin\n  priority: 7\n${indent(spec)}\n---\n`;
    const toY = 'to: [{namespaces: {matchLabels: {ns: y}}}]';
    t.same(
      topologyModel(
        anp('a', `priority: 7\n${subject('x')}\negress:\n- {action: Deny, ${toY}}`) +
          cnp('b', `${subject('x')}\negress:\n- {action: Deny, ${toY}}`),
      ).warnings,
      [
        'AdminNetworkPolicy a and ClusterNetworkPolicy b have the same priority 7 and overlapping subjects: their order is undefined; evaluated by name',
      ],
      'one of the two is not a ClusterNetworkPolicy: evaluated by name (egress-only policies)',
    );
  },
);

t.test('the sidecar warning lists every workload; the mTLS mode shown by default is PERMISSIVE', async (t) => {
  t.same(topologyModel(ap('x', 'all', '{}')).warnings, [
    'AuthorizationPolicy x/all selects only workloads without an Istio sidecar (x/a, x/b, x/c): not enforced; label the namespace istio-injection=enabled or assume a mesh',
  ]);
  const query = { from: { workload: 'x/b' }, to: { workload: 'x/a' }, port: 80 };
  t.equal(topologyModel('', {}, meshX).decide(query).mesh?.mtls, 'PERMISSIVE', 'no PeerAuthentication');
  t.equal(
    topologyModel(pa('istio-system', 'default', 'mtls: {mode: UNSET}'), {}, meshX).decide(query).mesh?.mtls,
    'PERMISSIVE',
    'a mesh-wide UNSET',
  );
});

t.test('an admin policy and a cluster policy at different priorities are no tie: the first decides', async (t) => {
  const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: later}\nspec:\n  tier: Admin\n  priority: 9\n${indent(`${subject('x')}\ningress:\n- {action: Accept, ${fromY}}`)}\n---\n`;
  const model = topologyModel(anp('first', `priority: 2\n${subject('x')}\ningress:\n- {action: Deny, ${fromY}}`) + cnp);
  t.same(model.warnings, []);
  t.equal(model.decide({ from: { workload: 'y/a' }, to: { workload: 'x/a' }, port: 80 }).computed, 'deny');
});
