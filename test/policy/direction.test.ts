// One direction of one connection, as decide() reports it: which tier decided, which rules, which policies
// isolate or passed, and the sentence that says so — for each way a direction can end.
import t from 'tap';
import { buildModel, type DirectionDecision } from '../../src/policy/index.ts';
import { docs, indent, np, topologyModel } from './harness.ts';

const anp = (name: string, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;
const banp = (spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n${indent(spec)}\n---\n`;
const cnp = (name: string, tier: string, priority: number, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n${indent(spec)}\n---\n`;
const cilium = (name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: x}\nspec:\n${indent(spec)}\n---\n`;
const subjectX = 'subject: {namespaces: {matchLabels: {ns: x}}}';
const fromY = 'from: [{namespaces: {matchLabels: {ns: y}}}]';
const npDenyX = np('x', 'deny', 'podSelector: {}');
const npAllowY = np('x', 'allow-y', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]');

/** What one direction of y/a → x/b on 80/TCP should report. */
interface Row {
  readonly name: string;
  readonly policies: string;
  readonly side?: 'ingress' | 'egress';
  readonly want: Omit<DirectionDecision, 'direction'>;
}

const none = { isolatedBy: [], rules: [], passedBy: [] };
const rows: Row[] = [
  {
    name: 'no policy: allowed, not isolated',
    policies: '',
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'not-isolated',
      explanation: 'ingress to x/b: no policy isolates it for ingress: allowed',
    },
  },
  {
    name: 'egress is said from the source, to the destination',
    policies: np('y', 'deny-out', 'podSelector: {}\npolicyTypes: [Egress]'),
    side: 'egress',
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy y/deny-out'],
      explanation:
        'egress from y/a: isolated by NetworkPolicy y/deny-out; no rule allows traffic to x/b on 80/TCP: denied',
    },
  },
  {
    name: 'isolated with no rule that allows: denied by isolation',
    policies: npDenyX,
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy x/deny'],
      explanation:
        'ingress to x/b: isolated by NetworkPolicy x/deny; no rule allows traffic from y/a on 80/TCP: denied',
    },
  },
  {
    name: 'isolated and allowed by a rule',
    policies: npAllowY,
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy x/allow-y'],
      rules: ['NetworkPolicy x/allow-y ingress[0]'],
      explanation: 'ingress to x/b: isolated by NetworkPolicy x/allow-y; allowed by NetworkPolicy x/allow-y ingress[0]',
    },
  },
  {
    name: 'an admin Deny decides before NetworkPolicy',
    policies: npAllowY + anp('no-y', `priority: 5\n${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'admin',
      isolatedBy: ['NetworkPolicy x/allow-y'],
      rules: ['AdminNetworkPolicy no-y ingress[0] "r"'],
      explanation: 'ingress to x/b: denied by AdminNetworkPolicy no-y ingress[0] "r" (Deny, from y/a on 80/TCP)',
    },
  },
  {
    name: 'an admin Allow decides before NetworkPolicy',
    policies: npDenyX + anp('yes-y', `priority: 5\n${subjectX}\ningress:\n- {name: r, action: Allow, ${fromY}}`),
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'admin',
      isolatedBy: ['NetworkPolicy x/deny'],
      rules: ['AdminNetworkPolicy yes-y ingress[0] "r"'],
      explanation: 'ingress to x/b: allowed by AdminNetworkPolicy yes-y ingress[0] "r" (Allow, from y/a on 80/TCP)',
    },
  },
  {
    name: 'the first admin rule by priority decides',
    policies:
      anp('later', `priority: 9\n${subjectX}\ningress:\n- {name: r, action: Allow, ${fromY}}`) +
      anp('first', `priority: 2\n${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'admin',
      rules: ['AdminNetworkPolicy first ingress[0] "r"'],
      explanation: 'ingress to x/b: denied by AdminNetworkPolicy first ingress[0] "r" (Deny, from y/a on 80/TCP)',
    },
  },
  {
    name: 'a ClusterNetworkPolicy says Accept',
    policies: cnp('acc', 'Admin', 5, `${subjectX}\ningress:\n- {name: r, action: Accept, ${fromY}}`),
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'admin',
      rules: ['ClusterNetworkPolicy acc ingress[0] "r"'],
      explanation: 'ingress to x/b: allowed by ClusterNetworkPolicy acc ingress[0] "r" (Accept, from y/a on 80/TCP)',
    },
  },
  {
    name: 'an admin Pass hands the decision to NetworkPolicy, and says so',
    policies: npDenyX + anp('pass', `priority: 5\n${subjectX}\ningress:\n- {name: r, action: Pass, ${fromY}}`),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy x/deny'],
      passedBy: ['AdminNetworkPolicy pass ingress[0] "r"'],
      explanation:
        'ingress to x/b: AdminNetworkPolicy pass ingress[0] "r" passes to NetworkPolicy; isolated by NetworkPolicy x/deny; no rule allows traffic from y/a on 80/TCP: denied',
    },
  },
  {
    name: 'an admin Pass with no NetworkPolicy ends at the default',
    policies: anp('pass', `priority: 5\n${subjectX}\ningress:\n- {name: r, action: Pass, ${fromY}}`),
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'not-isolated',
      passedBy: ['AdminNetworkPolicy pass ingress[0] "r"'],
      explanation:
        'ingress to x/b: AdminNetworkPolicy pass ingress[0] "r" passes to NetworkPolicy; no policy isolates it for ingress: allowed',
    },
  },
  {
    name: 'a baseline Deny decides where no NetworkPolicy isolates',
    policies: banp(`${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'baseline',
      rules: ['BaselineAdminNetworkPolicy default ingress[0] "r"'],
      explanation:
        'ingress to x/b: no NetworkPolicy isolates it; denied by BaselineAdminNetworkPolicy default ingress[0] "r" (from y/a on 80/TCP)',
    },
  },
  {
    name: 'a baseline Accept decides where no NetworkPolicy isolates',
    policies: cnp('ba', 'Baseline', 5, `${subjectX}\ningress:\n- {name: a, action: Accept, ${fromY}}`),
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'baseline',
      rules: ['ClusterNetworkPolicy ba ingress[0] "a"'],
      explanation:
        'ingress to x/b: no NetworkPolicy isolates it; allowed by ClusterNetworkPolicy ba ingress[0] "a" (from y/a on 80/TCP)',
    },
  },
  {
    name: 'a NetworkPolicy that isolates leaves the baseline out',
    policies: banp(`${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`) + npAllowY,
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy x/allow-y'],
      rules: ['NetworkPolicy x/allow-y ingress[0]'],
      explanation: 'ingress to x/b: isolated by NetworkPolicy x/allow-y; allowed by NetworkPolicy x/allow-y ingress[0]',
    },
  },
  {
    name: 'a baseline Pass skips the rest of the baseline tier, to the default',
    policies:
      cnp('bp', 'Baseline', 5, `${subjectX}\ningress:\n- {name: p, action: Pass, ${fromY}}`) +
      cnp('bd', 'Baseline', 6, `${subjectX}\ningress:\n- {name: d, action: Deny, ${fromY}}`),
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'not-isolated',
      passedBy: ['ClusterNetworkPolicy bp ingress[0] "p"'],
      explanation:
        'ingress to x/b: ClusterNetworkPolicy bp ingress[0] "p" passes the baseline tier; no policy isolates it for ingress: allowed',
    },
  },
  {
    name: 'a Cilium deny rule wins over its allow rules',
    policies: cilium(
      'c',
      'endpointSelector: {}\ningressDeny:\n- fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: y}}]\ningress:\n- fromEndpoints: [{}]',
    ),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy: ['CiliumNetworkPolicy x/c'],
      rules: ['CiliumNetworkPolicy x/c ingressDeny[0]'],
      explanation:
        'ingress to x/b: denied by CiliumNetworkPolicy x/c ingressDeny[0] (deny rules win, from y/a on 80/TCP)',
    },
  },
  {
    name: 'every Cilium deny rule that matches is named',
    policies: cilium(
      'd',
      'endpointSelector: {}\ningressDeny:\n- fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: y}}]\n- fromEntities: [cluster]',
    ),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy: ['CiliumNetworkPolicy x/d'],
      rules: ['CiliumNetworkPolicy x/d ingressDeny[0]', 'CiliumNetworkPolicy x/d ingressDeny[1]'],
      explanation:
        'ingress to x/b: denied by CiliumNetworkPolicy x/d ingressDeny[0], CiliumNetworkPolicy x/d ingressDeny[1] (deny rules win, from y/a on 80/TCP)',
    },
  },
  {
    name: 'tied policies that agree: the verdict, with every rule and the tie said',
    policies:
      cnp('one', 'Admin', 7, `${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`) +
      cnp('two', 'Admin', 7, `${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`),
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'admin',
      rules: ['ClusterNetworkPolicy one ingress[0] "r"', 'ClusterNetworkPolicy two ingress[0] "r"'],
      explanation:
        'ingress to x/b: denied by ClusterNetworkPolicy one ingress[0] "r" (Deny, from y/a on 80/TCP), or denied by ClusterNetworkPolicy two ingress[0] "r" (Deny, from y/a on 80/TCP) (ClusterNetworkPolicy one and ClusterNetworkPolicy two are tied on tier and priority; every order gives this verdict)',
    },
  },
  {
    name: 'tied policies that disagree: unknown, naming the tie',
    policies:
      cnp('one', 'Admin', 7, `${subjectX}\ningress:\n- {name: r, action: Deny, ${fromY}}`) +
      cnp('two', 'Admin', 7, `${subjectX}\ningress:\n- {name: r, action: Accept, ${fromY}}`),
    want: {
      ...none,
      verdict: 'unknown',
      decidedBy: 'admin',
      explanation:
        'ingress to x/b: unknown: ClusterNetworkPolicy one and ClusterNetworkPolicy two have the same tier and priority, and the API lets an implementation apply either: denied by ClusterNetworkPolicy one ingress[0] "r" (Deny, from y/a on 80/TCP), or allowed by ClusterNetworkPolicy two ingress[0] "r" (Accept, from y/a on 80/TCP)',
    },
  },
];

t.test('each way a direction ends, as decide() reports it', async (t) => {
  for (const row of rows) {
    const side = row.side ?? 'ingress';
    const d = topologyModel(row.policies).decide({ from: { workload: 'y/a' }, to: { workload: 'x/b' }, port: 80 });
    t.same(d[side], { direction: side, ...row.want }, row.name);
  }
});

// A client without pod IPs (a Deployment template) against CIDR rules: a rule may or may not match it.
const NP = (name: string, spec: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: n}\nspec:\n${indent(spec)}\n---\n`;
const ANP = (spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n${indent(spec)}\n---\n`;
const serverSelected = 'podSelector: {matchLabels: {app: server}}';
const egressDenied = NP('q', 'podSelector: {}\npolicyTypes: [Egress]');
const isolatedNoRule = (spec: string) =>
  `isolated by NetworkPolicy n/q; no rule allows traffic ${spec} on 80/TCP: denied`;

const unknownRows: (Row & { from: string; to: string })[] = [
  {
    name: 'an allow rule that may match: unknown, naming the rule',
    policies: NP('p', `${serverSelected}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]`),
    from: 'n/client',
    to: 'n/server',
    want: {
      ...none,
      verdict: 'unknown',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy n/p'],
      rules: ['NetworkPolicy n/p ingress[0]'],
      explanation:
        'ingress to n/server: unknown: whether NetworkPolicy n/p ingress[0] match n/client depends on pod IPs the manifests do not give (pods with status.podIPs decide it): isolated by NetworkPolicy n/p; allowed by NetworkPolicy n/p ingress[0], or isolated by NetworkPolicy n/p; no rule allows traffic from n/client on 80/TCP: denied',
    },
  },
  {
    name: 'two allow rules that may match: unknown, naming both',
    policies: NP(
      'p',
      `${serverSelected}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}, {from: [{ipBlock: {cidr: 10.1.0.0/16}}]}]`,
    ),
    from: 'n/client',
    to: 'n/server',
    want: {
      ...none,
      verdict: 'unknown',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy n/p'],
      rules: ['NetworkPolicy n/p ingress[0]', 'NetworkPolicy n/p ingress[1]'],
      explanation:
        'ingress to n/server: unknown: whether NetworkPolicy n/p ingress[0], NetworkPolicy n/p ingress[1] match n/client depends on pod IPs the manifests do not give (pods with status.podIPs decide it): isolated by NetworkPolicy n/p; allowed by NetworkPolicy n/p ingress[0], NetworkPolicy n/p ingress[1], or isolated by NetworkPolicy n/p; no rule allows traffic from n/client on 80/TCP: denied',
    },
  },
  {
    name: 'an allow rule that surely matches decides, whatever the one that may',
    policies: NP(
      'p',
      `${serverSelected}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}, {from: [{podSelector: {matchLabels: {app: client}}}]}]`,
    ),
    from: 'n/client',
    to: 'n/server',
    want: {
      ...none,
      verdict: 'allow',
      decidedBy: 'network',
      isolatedBy: ['NetworkPolicy n/p'],
      rules: ['NetworkPolicy n/p ingress[1]', 'NetworkPolicy n/p ingress[0]'],
      explanation:
        'ingress to n/server: isolated by NetworkPolicy n/p; allowed by NetworkPolicy n/p ingress[1], NetworkPolicy n/p ingress[0]',
    },
  },
  {
    name: 'an admin Deny that may match, then isolation: denied either way, and said so',
    policies:
      ANP('priority: 1\nsubject: {namespaces: {}}\negress: [{name: r, action: Deny, to: [{networks: [10.0.0.0/8]}]}]') +
      egressDenied,
    from: 'n/server',
    to: 'n/client',
    side: 'egress',
    want: {
      ...none,
      verdict: 'deny',
      decidedBy: 'admin',
      isolatedBy: ['NetworkPolicy n/q'],
      rules: ['AdminNetworkPolicy a egress[0] "r"'],
      explanation: `egress from n/server: denied by AdminNetworkPolicy a egress[0] "r" (Deny, to n/client on 80/TCP), or ${isolatedNoRule('to n/client')} (which one depends on pod IPs that are not known)`,
    },
  },
  {
    name: 'an admin Allow that may match, then isolation: unknown',
    policies:
      ANP(
        'priority: 1\nsubject: {namespaces: {}}\negress: [{name: r, action: Allow, to: [{networks: [10.0.0.0/8]}]}]',
      ) + egressDenied,
    from: 'n/server',
    to: 'n/client',
    side: 'egress',
    want: {
      ...none,
      verdict: 'unknown',
      decidedBy: 'admin',
      isolatedBy: ['NetworkPolicy n/q'],
      rules: ['AdminNetworkPolicy a egress[0] "r"'],
      explanation: `egress from n/server: unknown: whether AdminNetworkPolicy a egress[0] "r" match n/client depends on pod IPs the manifests do not give (pods with status.podIPs decide it): allowed by AdminNetworkPolicy a egress[0] "r" (Allow, to n/client on 80/TCP), or ${isolatedNoRule('to n/client')}`,
    },
  },
];

t.test('rules that may match a pod without known IPs', async (t) => {
  const server = {
    namespace: 'n',
    name: 'server',
    labels: { app: 'server' },
    ips: ['10.9.0.1'],
    ports: [{ port: 80 }],
  };
  const client = { namespace: 'n', name: 'client', labels: { app: 'client' }, ports: [{ port: 80 }] };
  for (const row of unknownRows) {
    const model = buildModel({
      namespaces: [{ name: 'n', labels: {} }],
      workloads: [server, client],
      policies: docs(row.policies),
    });
    const side = row.side ?? 'ingress';
    t.same(
      model.decide({ from: { workload: row.from }, to: { workload: row.to }, port: 80 })[side],
      { direction: side, ...row.want },
      row.name,
    );
  }
});
