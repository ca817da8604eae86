// AdminNetworkPolicy → NetworkPolicy → BaselineAdminNetworkPolicy: priority, Allow/Deny/Pass.
import t from 'tap';
import { indent, np, type Row, runRows, topologyModel } from './harness.ts';

const anp = (name: string, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;
const banp = (spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n${indent(spec)}\n---\n`;
const subjectX = 'subject: {namespaces: {matchLabels: {ns: x}}}';
const fromY = 'from: [{namespaces: {matchLabels: {ns: y}}}]';
const npAllowY = np('x', 'allow-y', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]');
const npDenyX = np('x', 'deny', 'podSelector: {}');

const rows: Row[] = [
  {
    name: 'ANP Deny beats a NetworkPolicy allow',
    policies: npAllowY + anp('deny-y', `priority: 10\n${subjectX}\ningress:\n- {name: no-y, action: Deny, ${fromY}}`),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'ANP Allow beats a NetworkPolicy deny',
    policies: npDenyX + anp('allow-y', `priority: 10\n${subjectX}\ningress:\n- {name: y, action: Allow, ${fromY}}`),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'ANP Pass hands the decision to NetworkPolicy (deny)',
    policies:
      npDenyX +
      anp('pass-y', `priority: 5\n${subjectX}\ningress:\n- {name: pass, action: Pass, ${fromY}}`) +
      anp('allow-all', `priority: 10\n${subjectX}\ningress:\n- {name: all, action: Allow, from: [{namespaces: {}}]}`),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'lower priority number wins: Allow at 10 over Deny at 20',
    policies:
      anp('a-deny', `priority: 20\n${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      anp('b-allow', `priority: 10\n${subjectX}\ningress:\n- {action: Allow, ${fromY}}`) +
      npDenyX,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'lower priority number wins: Deny at 10 over Allow at 20',
    policies:
      anp('a-deny', `priority: 10\n${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      anp('b-allow', `priority: 20\n${subjectX}\ningress:\n- {action: Allow, ${fromY}}`),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'within one ANP the first matching rule wins',
    policies: anp(
      'ordered',
      `priority: 1\n${subjectX}\ningress:\n- {action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}}]}\n- {action: Deny, ${fromY}}`,
    ),
    expect: ['allow * -> *', 'deny y/* -> x/*', 'allow y/a -> x/*'],
  },
  {
    name: 'BANP applies where no NetworkPolicy isolates',
    policies: banp(`${subjectX}\ningress:\n- {action: Deny, ${fromY}}`),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'a NetworkPolicy allow beats a BANP deny',
    policies: npAllowY + banp(`${subjectX}\ningress:\n- {action: Deny, from: [{namespaces: {}}]}`),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'NetworkPolicy isolation denies even where the BANP allows',
    policies: npAllowY + banp(`${subjectX}\ningress:\n- {action: Allow, from: [{namespaces: {}}]}`),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'ANP Pass without NetworkPolicy falls to the BANP',
    policies:
      anp('pass', `priority: 1\n${subjectX}\ningress:\n- {action: Pass, from: [{namespaces: {}}]}`) +
      banp(`${subjectX}\ningress:\n- {action: Deny, from: [{namespaces: {matchLabels: {ns: z}}}]}`),
    expect: ['allow * -> *', 'deny z/* -> x/*'],
  },
  {
    name: 'ANP egress to networks (pod IPs) with a port range',
    policies: anp(
      'egress',
      `priority: 3\nsubject: {pods: {namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: a}}}}\negress:\n- {action: Deny, to: [{networks: [10.0.2.0/24]}], ports: [{portRange: {start: 79, end: 80}}]}`,
    ),
    expect: ['allow * -> *', 'deny x/a -> y/*'],
  },
  {
    name: 'ANP port range that misses the port does nothing',
    policies: anp(
      'egress',
      `priority: 3\n${subjectX}\negress:\n- {action: Deny, to: [{namespaces: {}}], ports: [{portRange: {start: 81, end: 90}}]}`,
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'ANP namedPort and portNumber',
    policies: anp(
      'ports',
      `priority: 3\n${subjectX}\ningress:\n- {action: Deny, from: [{namespaces: {}}], ports: [{namedPort: serve-80-tcp}]}\n- {action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 81, protocol: TCP}}]}`,
    ),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
];

runRows(t, rows);

t.test('explanations name the deciding tier and rule', (t) => {
  const model = topologyModel(
    npAllowY + anp('deny-y', `priority: 10\n${subjectX}\ningress:\n- {name: no-y, action: Deny, ${fromY}}`),
  );
  const d = model.decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 });
  t.equal(d.verdict, 'deny');
  t.equal(d.deniedAt, 'ingress');
  t.equal(d.ingress?.decidedBy, 'admin');
  t.same(d.ingress?.rules, ['AdminNetworkPolicy deny-y ingress[0] "no-y"']);
  t.match(d.explanation.join('\n'), /denied by AdminNetworkPolicy deny-y ingress\[0\] "no-y"/);
  const pass = topologyModel(
    npDenyX + anp('pass-y', `priority: 5\n${subjectX}\ningress:\n- {name: pass, action: Pass, ${fromY}}`),
  );
  const p = pass.decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 });
  t.same(p.ingress?.passedBy, ['AdminNetworkPolicy pass-y ingress[0] "pass"']);
  t.equal(p.ingress?.decidedBy, 'network');
  t.match(p.ingress?.explanation, /passes to NetworkPolicy; isolated by NetworkPolicy x\/deny/);
  t.end();
});

t.test('equal priorities with overlapping subjects are reported', (t) => {
  const model = topologyModel(
    anp('one', `priority: 7\n${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      anp('two', `priority: 7\n${subjectX}\ningress:\n- {action: Allow, ${fromY}}`),
  );
  t.match(model.warnings.join('\n'), /AdminNetworkPolicy one and AdminNetworkPolicy two have the same priority 7/);
  t.end();
});
