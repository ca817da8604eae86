// `prober lint` on ClusterNetworkPolicy: the checks written for AdminNetworkPolicy apply across both
// tiers, in the API's words (Accept), and policies tied on tier and priority never shadow each other.
import t from 'tap';
import type { Finding } from '../../src/model/lint.ts';
import { buildModel } from '../../src/policy/index.ts';
import { lint, withDnsServer } from '../../src/policy/lint/index.ts';
import { docs, NAMESPACES, topologyWorkloads } from './harness.ts';

const cnp = (name: string, tier: string, priority: number, rules: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  ingress:\n${rules}\n---\n`;
const denyAll = '  - {name: all, action: Deny, from: [{namespaces: {}}]}';
const acceptY = '  - {name: y, action: Accept, from: [{namespaces: {matchLabels: {ns: y}}}]}';

function run(policies: string): Finding[] {
  const { input, assumed } = withDnsServer({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: topologyWorkloads(),
    policies: docs(policies),
  });
  return lint(buildModel(input), { assumedDns: assumed }).findings.filter((f) => f.id === 'PL003' || f.id === 'PL001');
}

t.test('PL003: an Admin rule behind a lower priority number never decides', async (t) => {
  const found = run(cnp('deny-all', 'Admin', 10, denyAll) + cnp('accept-y', 'Admin', 20, acceptY));
  t.equal(found.length, 1);
  t.match(
    found[0]!.message,
    /^ClusterNetworkPolicy accept-y ingress\[0\] "y" \(Accept\) never decides: ClusterNetworkPolicy deny-all ingress\[0\] "all" \(Deny, priority 10\)/,
  );
  t.match(found[0]!.hint, /lower priority number/);
  t.same(
    run(cnp('deny-all', 'Admin', 10, denyAll) + cnp('accept-y', 'Admin', 5, acceptY)),
    [],
    'narrow first: both decide',
  );
});

t.test('PL003: Baseline policies are ordered by priority too, and a Baseline Pass shadows', async (t) => {
  const pass = '  - {name: p, action: Pass, from: [{namespaces: {}}]}';
  t.match(run(cnp('pass-all', 'Baseline', 1, pass) + cnp('accept-y', 'Baseline', 2, acceptY)), [
    { message: /\(Accept\) never decides: ClusterNetworkPolicy pass-all ingress\[0\] "p" \(Pass, priority 1\)/ },
  ]);
});

t.test('PL003: policies tied on tier and priority have no order, so neither shadows the other', async (t) => {
  // By name, a-deny-all would come first and cover b-accept-y; the API gives the pair no order.
  t.same(run(cnp('a-deny-all', 'Admin', 10, denyAll) + cnp('b-accept-y', 'Admin', 10, acceptY)), []);
});

t.test('PL001: a ClusterNetworkPolicy whose subject selects no pod', async (t) => {
  const nowhere = cnp('nowhere', 'Admin', 1, denyAll).replace('{ns: x}', '{ns: nope}');
  t.match(run(nowhere), [{ id: 'PL001', message: /ClusterNetworkPolicy nowhere/ }]);
});
