// PL003 (rule-shadowed) case by case: when an earlier admin or baseline rule takes all of a rule's traffic, by
// ports, protocols, peers and subjects, and what the finding then says. The order is the API's: AdminNetworkPolicy
// rules by priority (lower number first), then in the order written; Baseline only for pods no NetworkPolicy
// isolates (network-policy-api, apis/v1alpha1/adminnetworkpolicy_types.go and baselineadminnetworkpolicy_types.go).
import t from 'tap';
import type { Finding } from '../../src/model/lint.ts';
import { buildModel } from '../../src/policy/index.ts';
import { lint, withDnsServer } from '../../src/policy/lint/index.ts';
import { docs, indent, NAMESPACES, np, topologyWorkloads } from './harness.ts';

const anp = (name: string, priority: number, subject: string, rules: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  priority: ${priority}\n  subject: ${subject}\n${indent(rules)}\n---\n`;
const banp = (subject: string, rules: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: ${subject}\n${indent(rules)}\n---\n`;
const X = '{namespaces: {matchLabels: {ns: x}}}';
const XY = '{namespaces: {matchExpressions: [{key: ns, operator: In, values: [x, y]}]}}';
const fromAll = 'from: [{namespaces: {}}]';
const fromY = 'from: [{namespaces: {matchLabels: {ns: y}}}]';

function shadowed(policies: string): Finding[] {
  const { input, assumed } = withDnsServer({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: topologyWorkloads(),
    policies: docs(policies),
  });
  return lint(buildModel(input), { assumedDns: assumed }).findings.filter((f) => f.id === 'PL003');
}

interface Row {
  readonly name: string;
  readonly policies: string;
  /** The subjects of the PL003 findings expected (empty: the later rule still decides some traffic). */
  readonly shadowed: readonly string[];
}

const ingress = (...rules: string[]): string => `ingress:\n${rules.map((r) => `- ${r}`).join('\n')}`;
const egress = (...rules: string[]): string => `egress:\n${rules.map((r) => `- ${r}`).join('\n')}`;
const rule = (name: string, action: string, peers: string, ports?: string): string =>
  `{name: ${name}, action: ${action}, ${peers}${ports ? `, ports: [${ports}]` : ''}}`;
const LATE = 'AdminNetworkPolicy late ingress[0] "r"';

const rows: Row[] = [
  {
    name: 'a port range covers the same range exactly',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portRange: {start: 80, end: 90}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portRange: {start: 80, end: 90}}'))),
    shadowed: [LATE],
  },
  {
    name: 'a range starting one port later leaves the first port to the later rule',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portRange: {start: 81, end: 90}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portRange: {start: 80, end: 90}}'))),
    shadowed: [],
  },
  {
    name: 'a range ending one port earlier leaves the last port to the later rule',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portRange: {start: 80, end: 89}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portRange: {start: 80, end: 90}}'))),
    shadowed: [],
  },
  {
    name: 'a port number inside an earlier range',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portRange: {start: 80, end: 90}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 85}}'))),
    shadowed: [LATE],
  },
  {
    name: 'the same port number over another protocol is not covered',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portNumber: {port: 80, protocol: UDP}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 80}}'))),
    shadowed: [],
  },
  {
    name: 'a named port covers the same name (on every protocol)',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{namedPort: serve-80-tcp}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{namedPort: serve-80-tcp}'))),
    shadowed: [LATE],
  },
  {
    name: 'a named port does not cover another name',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{namedPort: serve-80-tcp}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{namedPort: serve-81-tcp}'))),
    shadowed: [],
  },
  {
    name: 'a port number does not cover a named port, even the number the name stands for',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portNumber: {port: 80}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{namedPort: serve-80-tcp}'))),
    shadowed: [],
  },
  {
    name: 'a named port does not cover a port number',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{namedPort: serve-80-tcp}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 80}}'))),
    shadowed: [],
  },
  {
    name: 'every port of the later rule must be covered',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portNumber: {port: 80}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 80}}, {portNumber: {port: 81}}'))),
    shadowed: [],
  },
  {
    name: 'one of the earlier ports covering it is enough',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll, '{portNumber: {port: 81}}, {portNumber: {port: 80}}'))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 80}}'))),
    shadowed: [LATE],
  },
  {
    name: 'every port of an earlier rule covers any ports',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', fromY, '{portNumber: {port: 80}}'))),
    shadowed: [LATE],
  },
  {
    name: 'pods of one namespace inside an earlier rule on all namespaces',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll))) +
      anp(
        'late',
        2,
        X,
        ingress(
          rule(
            'r',
            'Allow',
            'from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}}]',
          ),
        ),
      ),
    shadowed: [LATE],
  },
  {
    name: 'an earlier rule on fewer pods does not cover all of them',
    policies:
      anp(
        'early',
        1,
        X,
        ingress(
          rule(
            'r',
            'Deny',
            'from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}}]',
          ),
        ),
      ) + anp('late', 2, X, ingress(rule('r', 'Allow', fromY))),
    shadowed: [],
  },
  {
    name: 'a peer that matches no pod is not reported as shadowed (PL002 says it matches nothing)',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll))) +
      anp('late', 2, X, ingress(rule('r', 'Allow', 'from: [{namespaces: {matchLabels: {ns: w}}}]'))),
    shadowed: [],
  },
  {
    name: 'every peer of the later rule must be covered',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromY))) +
      anp(
        'late',
        2,
        X,
        ingress(
          rule('r', 'Allow', 'from: [{namespaces: {matchLabels: {ns: y}}}, {namespaces: {matchLabels: {ns: z}}}]'),
        ),
      ),
    shadowed: [],
  },
  {
    name: 'egress: the same CIDR twice',
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{networks: [192.168.1.0/24]}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{networks: [192.168.1.0/24]}]'))),
    shadowed: ['AdminNetworkPolicy late egress[0] "r"'],
  },
  {
    name: 'egress: one of two earlier networks holds the CIDR',
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{networks: [10.9.0.0/16, 192.168.0.0/16]}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{networks: [192.168.1.0/24]}]'))),
    shadowed: ['AdminNetworkPolicy late egress[0] "r"'],
  },
  {
    name: 'egress: a narrower earlier CIDR at the same base does not cover a wider one',
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{networks: [192.168.0.0/24]}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{networks: [192.168.0.0/16]}]'))),
    shadowed: [],
  },
  {
    name: 'egress: a CIDR beside an earlier one is not covered',
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{networks: [192.168.0.0/24]}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{networks: [192.168.1.0/24]}]'))),
    shadowed: [],
  },
  {
    name: "egress: pods whose IPs an earlier networks CIDR holds (ANP's networks select pod IPs too)",
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{networks: [0.0.0.0/0]}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{namespaces: {matchLabels: {ns: y}}}]'))),
    shadowed: ['AdminNetworkPolicy late egress[0] "r"'],
  },
  {
    name: 'egress: a CIDR is not covered by an earlier rule on pods',
    policies:
      anp('early', 1, X, egress(rule('r', 'Deny', 'to: [{namespaces: {}}]'))) +
      anp('late', 2, X, egress(rule('r', 'Allow', 'to: [{networks: [192.168.1.0/24]}]'))),
    shadowed: [],
  },
  {
    name: 'a rule shadowed on some of its subjects but deciding on others is not reported',
    policies:
      anp('early', 1, X, ingress(rule('r', 'Deny', fromAll))) + anp('late', 2, XY, ingress(rule('r', 'Allow', fromY))),
    shadowed: [],
  },
  {
    name: 'the same when the subjects it is shadowed on come last',
    policies:
      anp('early', 1, '{namespaces: {matchLabels: {ns: y}}}', ingress(rule('r', 'Deny', fromAll))) +
      anp('late', 2, XY, ingress(rule('r', 'Allow', fromY))),
    shadowed: [],
  },
  {
    name: 'an earlier rule of the same policy',
    policies: anp('one', 1, X, ingress(rule('all', 'Deny', fromAll), rule('y', 'Allow', fromY))),
    shadowed: ['AdminNetworkPolicy one ingress[1] "y"'],
  },
  {
    name: 'ClusterNetworkPolicy: the rules of one policy are ordered, though the policy shares its tie',
    policies:
      'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: one}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {matchLabels: {ns: x}}}\n' +
      indent(ingress(rule('all', 'Deny', fromAll), rule('y', 'Accept', fromY))),
    shadowed: ['ClusterNetworkPolicy one ingress[1] "y"'],
  },
  {
    name: 'ingress rules never shadow egress rules',
    policies: anp(
      'one',
      1,
      X,
      `${ingress(rule('all', 'Deny', fromAll))}\n${egress(rule('y', 'Allow', 'to: [{namespaces: {matchLabels: {ns: y}}}]'))}`,
    ),
    shadowed: [],
  },
  {
    name: 'baseline: an earlier baseline rule',
    policies: banp(X, ingress(rule('all', 'Deny', fromAll), rule('y', 'Allow', fromY))),
    shadowed: ['BaselineAdminNetworkPolicy default ingress[1] "y"'],
  },
  {
    name: 'baseline: NetworkPolicy isolating only some of its pods leaves it the others',
    policies: banp(X, ingress(rule('y', 'Deny', fromY))) + np('x', 'iso-a', 'podSelector: {matchLabels: {pod: a}}'),
    shadowed: [],
  },
  {
    name: 'baseline: a NetworkPolicy for egress only does not take ingress from it',
    policies:
      banp(X, ingress(rule('y', 'Deny', fromY))) +
      np('x', 'iso', 'podSelector: {}\npolicyTypes: [Egress]\negress: [{}]'),
    shadowed: [],
  },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    t.same(
      shadowed(row.policies).map((f) => f.subject),
      row.shadowed,
    );
  });
}

t.test('what the finding says: the shadowing rule, its action and priority, and the fix', async (t) => {
  const [redundant] = shadowed(
    anp('early', 7, X, ingress(rule('r', 'Deny', fromAll))) + anp('late', 9, X, ingress(rule('r', 'Deny', fromY))),
  );
  t.match(redundant, {
    severity: 'warning',
    location: { file: 'inline#2', line: 1 },
    message:
      'AdminNetworkPolicy late ingress[0] "r" (Deny) never decides: AdminNetworkPolicy early ingress[0] "r" (Deny, priority 7) matches all its traffic first',
    hint: 'it is redundant: delete it',
  });
  const [opposite] = shadowed(
    anp('early', 7, X, ingress(rule('r', 'Deny', fromAll))) + anp('late', 9, X, ingress(rule('r', 'Allow', fromY))),
  );
  t.equal(
    opposite?.hint,
    'give its policy a lower priority number or the rule an earlier place, or narrow AdminNetworkPolicy early ingress[0] "r"',
  );
  const [baseline] = shadowed(banp(X, ingress(rule('all', 'Allow', fromAll), rule('y', 'Deny', fromY))));
  t.match(baseline, {
    location: { file: 'inline#1' },
    message:
      'BaselineAdminNetworkPolicy default ingress[1] "y" (Deny) never decides: BaselineAdminNetworkPolicy default ingress[0] "all" (Allow) matches all its traffic first',
    hint: 'give the rule an earlier place, or narrow BaselineAdminNetworkPolicy default ingress[0] "all"',
  });
  const [isolated] = shadowed(banp(X, ingress(rule('y', 'Allow', fromY))) + np('x', 'iso', 'podSelector: {}'));
  t.match(isolated, {
    message:
      'BaselineAdminNetworkPolicy default ingress[0] "y" (Allow) never decides: NetworkPolicy isolates every pod it applies to, and baseline rules only apply to pods no NetworkPolicy isolates',
    hint: 'move the rule into a NetworkPolicy, or delete it',
  });
});

t.test('of two earlier rules that each cover it, the first evaluated is named', async (t) => {
  const [found] = shadowed(
    anp('b-second', 2, X, ingress(rule('r', 'Deny', fromAll))) +
      anp('a-first', 1, X, ingress(rule('r', 'Deny', fromAll))) +
      anp('late', 3, X, ingress(rule('r', 'Allow', fromY))),
  ).filter((f) => f.subject === LATE);
  t.match(found?.message, /never decides: AdminNetworkPolicy a-first ingress\[0\] "r" \(Deny, priority 1\)/);
});
