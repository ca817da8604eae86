// ClusterNetworkPolicy (v1alpha2): Admin tier → NetworkPolicy → Baseline tier, Accept/Deny/Pass,
// priority, ties, `protocols`, and the CRD's validation.
import t from 'tap';
import { buildModel, PolicyError } from '../../src/policy/index.ts';
import { docs, indent, np, type Row, runRows, topologyModel } from './harness.ts';

const cnp = (name: string, tier: string, priority: number, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n${indent(spec)}\n---\n`;
const subjectX = 'subject: {namespaces: {matchLabels: {ns: x}}}';
const fromY = 'from: [{namespaces: {matchLabels: {ns: y}}}]';
const fromAll = 'from: [{namespaces: {}}]';
const npAllowY = np('x', 'allow-y', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]');
const npDenyX = np('x', 'deny', 'podSelector: {}');

const rows: Row[] = [
  {
    name: 'Admin Deny beats a NetworkPolicy allow',
    policies: npAllowY + cnp('deny-y', 'Admin', 10, `${subjectX}\ningress:\n- {name: no-y, action: Deny, ${fromY}}`),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'Admin Accept beats a NetworkPolicy deny',
    policies: npDenyX + cnp('accept-y', 'Admin', 10, `${subjectX}\ningress:\n- {action: Accept, ${fromY}}`),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'Admin Pass skips the rest of the Admin tier, to NetworkPolicy',
    policies:
      npDenyX +
      cnp('pass-y', 'Admin', 5, `${subjectX}\ningress:\n- {action: Pass, ${fromY}}`) +
      cnp('accept-all', 'Admin', 10, `${subjectX}\ningress:\n- {action: Accept, ${fromAll}}`),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'lower priority number first: Accept at 10 over Deny at 20',
    policies:
      cnp('a-deny', 'Admin', 20, `${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      cnp('b-accept', 'Admin', 10, `${subjectX}\ningress:\n- {action: Accept, ${fromY}}`) +
      npDenyX,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'Baseline applies only where no NetworkPolicy isolates',
    policies:
      cnp('base', 'Baseline', 10, `${subjectX}\ningress:\n- {action: Deny, ${fromAll}}`) +
      np(
        'x',
        'allow-y-to-a',
        'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]',
      ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/a'],
  },
  {
    name: 'Baseline policies by priority; a Baseline Pass goes to the default (allowed)',
    policies:
      cnp('later-deny', 'Baseline', 20, `${subjectX}\ningress:\n- {action: Deny, ${fromAll}}`) +
      cnp('first-pass', 'Baseline', 10, `${subjectX}\ningress:\n- {action: Pass, ${fromY}}`),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'Admin Pass with no NetworkPolicy falls to the Baseline tier',
    policies:
      cnp('pass', 'Admin', 1, `${subjectX}\ningress:\n- {action: Pass, ${fromAll}}`) +
      cnp(
        'base',
        'Baseline',
        1,
        `${subjectX}\ningress:\n- {action: Deny, from: [{namespaces: {matchLabels: {ns: z}}}]}`,
      ),
    expect: ['allow * -> *', 'deny z/* -> x/*'],
  },
  {
    name: 'egress to networks (pod IPs) on a TCP port range',
    policies: cnp(
      'egress',
      'Admin',
      3,
      `subject: {pods: {namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: a}}}}\negress:\n- {action: Deny, to: [{networks: [10.0.2.0/24]}], protocols: [{tcp: {destinationPort: {range: {start: 79, end: 80}}}}]}`,
    ),
    expect: ['allow * -> *', 'deny x/a -> y/*'],
  },
  {
    name: 'a UDP match does not touch TCP traffic',
    policies: cnp(
      'udp',
      'Admin',
      3,
      `${subjectX}\ningress:\n- {action: Deny, ${fromAll}, protocols: [{udp: {destinationPort: {number: 80}}}]}`,
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'destinationNamedPort resolves on the destination pod',
    policies: cnp(
      'named',
      'Admin',
      3,
      `${subjectX}\ningress:\n- {action: Deny, ${fromAll}, protocols: [{destinationNamedPort: serve-80-tcp}]}`,
    ),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'a destinationNamedPort no container port can carry is accepted, as by the CRD, and matches nothing',
    policies: cnp(
      'named-upper',
      'Admin',
      3,
      `${subjectX}\ningress:\n- {action: Deny, ${fromAll}, protocols: [{destinationNamedPort: SERVE-80-TCP}]}`,
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'a pods peer without namespaceSelector means every namespace (optional in v1alpha2)',
    policies: cnp(
      'pods-anywhere',
      'Admin',
      3,
      `${subjectX}\ningress:\n- {action: Deny, from: [{pods: {podSelector: {matchLabels: {pod: a}}}}]}`,
    ),
    expect: ['allow * -> *', 'deny */a -> x/*'],
  },
  {
    name: 'tied policies that agree decide the cell',
    policies:
      cnp('one', 'Admin', 7, `${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      cnp('two', 'Admin', 7, `${subjectX}\ningress:\n- {action: Deny, ${fromAll}}`),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
];

runRows(t, rows);

t.test('tied policies that disagree make the cell unknown, in decide and in the matrix', (t) => {
  const model = topologyModel(
    cnp('one', 'Admin', 7, `${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      cnp('two', 'Admin', 7, `${subjectX}\ningress:\n- {action: Accept, ${fromY}}`) +
      npDenyX,
  );
  t.match(
    model.warnings.join('\n'),
    /ClusterNetworkPolicy one and ClusterNetworkPolicy two have the same priority 7.*either may apply/,
  );
  const d = model.decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 });
  t.equal(d.computed, 'unknown');
  t.match(
    d.ingress?.explanation,
    /ClusterNetworkPolicy one and ClusterNetworkPolicy two have the same tier and priority/,
  );
  const m = model.matrix(80, 'TCP');
  const index = (id: string) => model.workload(id)!.index;
  t.equal(m.computed(index('y/a'), index('x/b')), 'unknown');
  // z is matched by neither: NetworkPolicy denies it.
  t.equal(m.computed(index('z/a'), index('x/b')), 'deny');
  // A Pass and a Deny tied: NetworkPolicy allows after the Pass, so the cell is unknown too.
  const pass = topologyModel(
    cnp('one', 'Baseline', 7, `${subjectX}\ningress:\n- {action: Deny, ${fromY}}`) +
      cnp('two', 'Baseline', 7, `${subjectX}\ningress:\n- {action: Pass, ${fromY}}`),
  );
  t.equal(pass.decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 }).computed, 'unknown');
  t.equal(pass.matrix(80, 'TCP').computed(index('y/a'), index('x/b')), 'unknown');
  t.end();
});

t.test('explanations name the tier and rule, Accept included', (t) => {
  const model = topologyModel(
    npDenyX + cnp('accept-y', 'Admin', 10, `${subjectX}\ningress:\n- {name: y, action: Accept, ${fromY}}`),
  );
  const d = model.decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 });
  t.equal(d.verdict, 'allow');
  t.equal(d.ingress?.decidedBy, 'admin');
  t.same(d.ingress?.rules, ['ClusterNetworkPolicy accept-y ingress[0] "y"']);
  t.match(
    d.ingress?.explanation,
    /allowed by ClusterNetworkPolicy accept-y ingress\[0\] "y" \(Accept, from y\/a on 80\/TCP\)/,
  );
  t.end();
});

const refusals: [string, string, RegExp][] = [
  ['unknown tier', 'tier: Cluster\npriority: 1\nsubject: {namespaces: {}}', /spec\.tier: unsupported value "Cluster"/],
  ['priority above 1000', 'tier: Admin\npriority: 1001\nsubject: {namespaces: {}}', /spec\.priority: priority 1001/],
  ['missing priority', 'tier: Admin\nsubject: {namespaces: {}}', /spec\.priority: is required/],
  [
    'subject with both fields',
    'tier: Admin\npriority: 1\nsubject: {namespaces: {}, pods: {podSelector: {}}}',
    /spec\.subject: subject sets exactly one of namespaces, pods, found 2/,
  ],
  [
    'v1alpha1 action Allow',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Allow, ${fromAll}}]`,
    /spec\.ingress\[0\]\.action: unsupported value "Allow" \(expected Accept, Deny, Pass\)/,
  ],
  [
    'v1alpha1 ports',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Deny, ${fromAll}, ports: [{portNumber: {port: 80}}]}]`,
    /spec\.ingress\[0\]\.ports: unsupported field/,
  ],
  [
    'networks in an ingress peer',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Deny, from: [{networks: [10.0.0.0/8]}]}]`,
    /spec\.ingress\[0\]\.from\[0\]\.networks: unsupported field/,
  ],
  [
    'a peer with two fields',
    `tier: Admin\npriority: 1\n${subjectX}\negress: [{action: Deny, to: [{namespaces: {}, networks: [10.0.0.0/8]}]}]`,
    /spec\.egress\[0\]\.to\[0\]: a peer sets exactly one of namespaces, pods, nodes, networks, domainNames, found 2/,
  ],
  [
    'range start not below end',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Deny, ${fromAll}, protocols: [{tcp: {destinationPort: {range: {start: 80, end: 80}}}}]}]`,
    /destinationPort\.range: Start port must be less than End port/,
  ],
  [
    'tcp without destinationPort',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Deny, ${fromAll}, protocols: [{tcp: {}}]}]`,
    /protocols\[0\]\.tcp\.destinationPort: is required/,
  ],
  [
    'empty protocols list',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [{action: Deny, ${fromAll}, protocols: []}]`,
    /spec\.ingress\[0\]\.protocols: needs 1-25 items, found 0/,
  ],
  [
    'named port with networks',
    `tier: Admin\npriority: 1\n${subjectX}\negress: [{action: Deny, to: [{networks: [10.0.0.0/8]}], protocols: [{destinationNamedPort: web}]}]`,
    /spec\.egress\[0\]\.protocols: networks\/nodes\/domainNames peer cannot be set with namedPorts/,
  ],
  [
    'duplicate network',
    `tier: Admin\npriority: 1\n${subjectX}\negress: [{action: Deny, to: [{networks: [10.0.0.0/8, 10.0.0.0/8]}]}]`,
    /networks: duplicate value "10\.0\.0\.0\/8"/,
  ],
  [
    'more than 25 rules',
    `tier: Admin\npriority: 1\n${subjectX}\ningress: [${Array.from({ length: 26 }, () => `{action: Deny, ${fromAll}}`).join(', ')}]`,
    /spec\.ingress: needs at most 25 rules, found 26/,
  ],
];

t.test('the CRD schema and CEL rules are applied', (t) => {
  for (const [name, spec, error] of refusals) {
    const yaml = cnp('bad', 'X', 0, '').replace(/ {2}tier: X\n {2}priority: 0\n/, `${indent(spec)}\n`);
    t.throws(() => buildModel({ workloads: [], policies: docs(yaml) }), { name: 'PolicyError', message: error }, name);
  }
  t.ok(PolicyError);
  t.end();
});
