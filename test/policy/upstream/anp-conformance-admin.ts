// AdminNetworkPolicy conformance tests (core and extended) of network-policy-api v0.1.7, with their pokes.
import type { ConformanceRow, Subtest } from './anp-conformance.ts';
import {
  allowPodIpsFirst,
  anp,
  banp,
  house,
  houseNamespaces,
  housePods,
  ladder,
  rule,
  setAction,
  setPriority,
  swap,
  toNamedPort,
} from './anp-conformance-policies.ts';
import type { Manifest } from './manifests.ts';

type Dir = 'ingress' | 'egress';
type Proto = 'TCP' | 'UDP' | 'SCTP';

/** The six subtests of a one-direction, one-protocol ANP test, in order; swaps accumulate as upstream. */
export function sixSubtests(policy: string, dir: Dir, proto: Proto, pokes: readonly (readonly string[])[]): Subtest[] {
  const order = (a: string) =>
    `Should support an '${a}-${dir}' policy for ${proto} protocol; ensure rule ordering is respected`;
  const atPort = (a: string) =>
    `Should support ${a === 'allow' ? 'an' : 'a'} '${a}-${dir}' policy for ${proto} protocol at the specified port`;
  return [
    { name: order('allow'), pokes: pokes[0]! },
    { name: atPort('allow'), pokes: pokes[1]! },
    { name: order('deny'), change: swap(policy, dir, 0, 1), pokes: pokes[2]! },
    { name: atPort('deny'), pokes: pokes[3]! },
    { name: order('pass'), change: swap(policy, dir, 0, 2), pokes: pokes[4]! },
    { name: atPort('pass'), change: swap(policy, dir, 3, 4), pokes: pokes[5]! },
  ];
}

const one =
  (
    name: string,
    priority: number,
    subject: string,
    dir: Dir,
    a: string,
    b: [string, [number, Proto][]],
    c: [string, [number, Proto][]],
  ) =>
  () => [anp(name, priority, house(subject), { [dir]: ladder(dir, a, b, c, true) })];

const ingressTcp = one(
  'ingress-tcp',
  3,
  'gryffindor',
  'ingress',
  'ravenclaw',
  ['slytherin', [[80, 'TCP']]],
  ['hufflepuff', [[80, 'TCP']]],
);
const ingressUdp = one(
  'ingress-udp',
  4,
  'hufflepuff',
  'ingress',
  'ravenclaw',
  ['slytherin', [[5353, 'UDP']]],
  ['gryffindor', [[53, 'UDP']]],
);
const ingressSctp = one(
  'ingress-sctp',
  5,
  'ravenclaw',
  'ingress',
  'gryffindor',
  ['slytherin', [[9003, 'SCTP']]],
  ['hufflepuff', [[9003, 'SCTP']]],
);
const egressTcp = one(
  'egress-tcp',
  6,
  'gryffindor',
  'egress',
  'ravenclaw',
  ['slytherin', [[80, 'TCP']]],
  ['hufflepuff', [[8080, 'TCP']]],
);
const egressUdp = one(
  'egress-udp',
  7,
  'hufflepuff',
  'egress',
  'ravenclaw',
  ['slytherin', [[5353, 'UDP']]],
  ['gryffindor', [[53, 'UDP']]],
);
const egressSctp = one(
  'egress-sctp',
  8,
  'ravenclaw',
  'egress',
  'gryffindor',
  ['slytherin', [[9003, 'SCTP']]],
  ['hufflepuff', [[9003, 'SCTP']]],
);

const B3: [number, Proto][] = [
  [80, 'TCP'],
  [53, 'UDP'],
  [9003, 'SCTP'],
];
const gress = (): Manifest[] => [
  anp('gress-rules', 15, house('gryffindor'), {
    egress: ladder(
      'egress',
      'ravenclaw',
      ['slytherin', B3],
      [
        'hufflepuff',
        [
          [8080, 'TCP'],
          [5353, 'UDP'],
          [9003, 'SCTP'],
        ],
      ],
      true,
    ),
    ingress: ladder(
      'ingress',
      'ravenclaw',
      ['slytherin', B3],
      [
        'hufflepuff',
        [
          [80, 'TCP'],
          [5353, 'UDP'],
          [9003, 'SCTP'],
        ],
      ],
      true,
    ),
  }),
];

/** The six subtests of a Gress test (both directions, three protocols); shared with the baseline suite for its first four. */
export const GRESS_POKES = {
  allow: [
    'hp0 > ll0 tcp/80 allow',
    'hp1 > ll0 udp/53 allow',
    'hp0 > ll0 sctp/9003 allow',
    'll0 > hp0 tcp/80 allow',
    'll1 > hp0 udp/53 allow',
    'll1 > hp0 sctp/9003 allow',
  ],
  allowAtPorts: [
    ...[
      'hp0 > cd1 tcp/8080 allow',
      'hp1 > cd1 tcp/80 deny',
      'hp0 > cd1 udp/5353 allow',
      'hp1 > cd1 udp/53 deny',
      'hp0 > cd1 sctp/9003 allow',
      'hp1 > cd1 sctp/9005 deny',
    ],
    ...[
      'cd0 > hp1 tcp/80 allow',
      'cd1 > hp1 tcp/8080 deny',
      'cd0 > hp1 udp/5353 allow',
      'cd1 > hp1 udp/53 deny',
      'cd0 > hp1 sctp/9003 allow',
      'cd1 > hp1 sctp/9005 deny',
    ],
  ],
  deny: [
    'hp0 > ll1 tcp/80 deny',
    'hp1 > ll1 udp/53 deny',
    'hp0 > ll1 sctp/9003 deny',
    'll0 > hp1 tcp/80 deny',
    'll1 > hp1 udp/53 deny',
    'll1 > hp1 sctp/9003 deny',
  ],
  denyAtPorts: [
    ...[
      'hp0 > dm0 tcp/80 deny',
      'hp1 > dm0 tcp/8080 allow',
      'hp0 > dm0 udp/53 deny',
      'hp1 > dm0 udp/5353 allow',
      'hp0 > dm0 sctp/9003 deny',
      'hp1 > dm0 sctp/9005 allow',
    ],
    ...[
      'dm0 > hp0 tcp/80 deny',
      'dm1 > hp0 tcp/8080 allow',
      'dm0 > hp0 udp/53 deny',
      'dm1 > hp0 udp/5353 allow',
      'dm0 > hp0 sctp/9003 deny',
      'dm1 > hp0 sctp/9005 allow',
    ],
  ],
};

/** The inline-CIDR pokes: first the deny to the internet (pod IPs included), then /32 allows inserted first. */
export const CIDR_SUBTESTS = (policy: string): Subtest[] => {
  const to = (pod: string, verdict: string) => [
    `hp1 > ${pod} tcp/80 ${verdict}`,
    `hp1 > ${pod} udp/53 ${verdict}`,
    `hp1 > ${pod} sctp/9003 ${verdict}`,
  ];
  return [
    {
      name: "Should support a 'deny-egress' rule policy for egress-cidr-peer",
      pokes: [...to('ll0', 'deny'), ...to('cd0', 'deny'), ...to('dm0', 'allow')],
    },
    {
      name: "Should support an 'allow-egress' rule policy for egress-cidr-peer",
      change: allowPodIpsFirst(policy, ['luna-lovegood-0', 'cedric-diggory-0']),
      pokes: [...to('ll0', 'allow'), ...to('cd0', 'allow'), ...to('ll1', 'deny'), ...to('cd1', 'deny')],
    },
  ];
};

/** Egress peers `nodes` and the host-network pods they reach: a policy naming them is refused. */
export const NODES_REFUSED = {
  field:
    /:\d+: AdminNetworkPolicy node-and-cidr-as-peers-example: spec\.egress\[0\]\.to\[0\]\.nodes: not supported|BaselineAdminNetworkPolicy default: spec\.egress\[0\]\.to\[0\]\.nodes: not supported/,
  why: 'node peers need node labels and addresses, and the targets (centaur) run on the host network, outside what policies and the model see',
};

const nodes = { nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } };

export const ADMIN_ROWS: ConformanceRow[] = [
  {
    shortName: 'AdminNetworkPolicyIngressTCP',
    profile: 'core',
    policies: ingressTcp,
    subtests: sixSubtests('ingress-tcp', 'ingress', 'TCP', [
      ['ll0 > hp0 tcp/80 allow', 'll1 > hp0 tcp/8080 allow'],
      ['cd0 > hp1 tcp/80 allow', 'cd1 > hp1 tcp/8080 deny'],
      ['ll0 > hp1 tcp/80 deny', 'll1 > hp1 tcp/8080 deny'],
      ['dm0 > hp0 tcp/80 deny', 'dm1 > hp0 tcp/8080 allow'],
      ['ll0 > hp0 tcp/80 allow', 'll1 > hp0 tcp/8080 allow'],
      ['dm0 > hp0 tcp/80 allow', 'dm1 > hp0 tcp/8080 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyIngressUDP',
    profile: 'core',
    policies: ingressUdp,
    subtests: sixSubtests('ingress-udp', 'ingress', 'UDP', [
      ['ll0 > cd0 udp/53 allow', 'll1 > cd0 udp/5353 allow'],
      ['hp0 > cd1 udp/53 allow', 'hp1 > cd1 udp/5353 deny'],
      ['ll0 > cd1 udp/53 deny', 'll1 > cd1 udp/5353 deny'],
      ['dm0 > cd0 udp/5353 deny', 'dm1 > cd0 udp/53 allow'],
      ['ll0 > cd1 udp/5353 allow', 'll1 > cd1 udp/53 allow'],
      ['dm0 > cd0 udp/5353 allow', 'dm1 > cd0 udp/53 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyIngressSCTP',
    profile: 'core',
    policies: ingressSctp,
    subtests: sixSubtests('ingress-sctp', 'ingress', 'SCTP', [
      ['hp0 > ll0 sctp/9003 allow', 'hp1 > ll0 sctp/9005 allow'],
      ['cd0 > ll1 sctp/9003 allow', 'cd1 > ll1 sctp/9005 deny'],
      ['hp0 > ll1 sctp/9003 deny', 'hp1 > ll1 sctp/9005 deny'],
      ['dm0 > ll0 sctp/9003 deny', 'dm1 > ll0 sctp/9005 allow'],
      ['hp0 > ll1 sctp/9003 allow', 'hp1 > ll1 sctp/9005 allow'],
      ['dm0 > ll0 sctp/9003 allow', 'dm1 > ll0 sctp/9005 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyEgressTCP',
    profile: 'core',
    policies: egressTcp,
    subtests: sixSubtests('egress-tcp', 'egress', 'TCP', [
      ['hp0 > ll0 tcp/80 allow', 'hp1 > ll0 tcp/8080 allow'],
      ['hp0 > cd1 tcp/8080 allow', 'hp1 > cd1 tcp/80 deny'],
      ['hp0 > ll1 tcp/80 deny', 'hp1 > ll1 tcp/8080 deny'],
      ['hp0 > dm0 tcp/80 deny', 'hp1 > dm0 tcp/8080 allow'],
      ['hp0 > ll0 tcp/80 allow', 'hp1 > ll0 tcp/8080 allow'],
      ['hp0 > dm0 tcp/80 allow', 'hp1 > dm0 tcp/8080 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyEgressUDP',
    profile: 'core',
    policies: egressUdp,
    subtests: sixSubtests('egress-udp', 'egress', 'UDP', [
      ['cd0 > ll0 udp/53 allow', 'cd1 > ll0 udp/5353 allow'],
      ['cd0 > hp1 udp/53 allow', 'cd1 > hp1 udp/5353 deny'],
      ['cd0 > ll1 udp/53 deny', 'cd1 > ll1 udp/5353 deny'],
      ['cd0 > dm0 udp/5353 deny', 'cd1 > dm0 udp/53 allow'],
      ['cd0 > ll1 udp/5353 allow', 'cd1 > ll1 udp/53 allow'],
      ['cd0 > dm0 udp/5353 allow', 'cd1 > dm0 udp/53 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyEgressSCTP',
    profile: 'core',
    policies: egressSctp,
    subtests: sixSubtests('egress-sctp', 'egress', 'SCTP', [
      ['ll0 > hp0 sctp/9003 allow', 'll1 > hp0 sctp/9005 allow'],
      ['ll0 > cd1 sctp/9003 allow', 'll1 > cd1 sctp/9005 deny'],
      ['ll0 > hp1 sctp/9003 deny', 'll1 > hp1 sctp/9005 deny'],
      ['ll0 > dm0 sctp/9003 deny', 'll1 > dm0 sctp/9005 allow'],
      ['ll0 > hp1 sctp/9003 allow', 'll1 > hp1 sctp/9005 allow'],
      ['ll0 > dm0 sctp/9003 allow', 'll1 > dm0 sctp/9005 allow'],
    ]),
  },
  {
    shortName: 'AdminNetworkPolicyGress',
    profile: 'core',
    policies: gress,
    subtests: [
      { name: "Should support an 'allow-gress' policy across different protocols", pokes: GRESS_POKES.allow },
      {
        name: "Should support an 'allow-gress' policy across different protocols at the specified ports",
        pokes: GRESS_POKES.allowAtPorts,
      },
      {
        name: "Should support an 'deny-gress' policy across different protocols",
        change: swap('gress-rules', 'both', 0, 1),
        pokes: GRESS_POKES.deny,
      },
      {
        name: "Should support a 'deny-gress' policy across different protocols at the specified ports",
        pokes: GRESS_POKES.denyAtPorts,
      },
      {
        name: "Should support an 'pass-gress' policy across different protocols",
        change: swap('gress-rules', 'both', 0, 2),
        pokes: [
          'hp0 > ll0 tcp/80 allow',
          'hp0 > ll0 udp/5353 allow',
          'hp0 > ll0 sctp/9003 allow',
          'll0 > hp0 tcp/80 allow',
          'll1 > hp0 udp/53 allow',
          'll1 > hp0 sctp/9003 allow',
        ],
      },
      {
        name: "Should support a 'pass-gress' policy across different protocols at the specified ports",
        change: swap('gress-rules', 'both', 3, 4),
        pokes: GRESS_POKES.denyAtPorts.map((p) => p.replace(/deny$/, 'allow')),
      },
    ],
  },
  {
    shortName: 'AdminNetworkPolicyEgressInlineCIDRPeers',
    profile: 'core',
    policies: () => [
      anp('inline-cidr-as-peers-example', 85, housePods('gryffindor'), {
        egress: [
          rule('egress', 'allow-egress-to-slytherin', 'Allow', [housePods('slytherin')]),
          rule('egress', 'deny-egress-to-internet', 'Deny', [{ networks: ['0.0.0.0/0', '::/0'] }]),
        ],
      }),
    ],
    subtests: CIDR_SUBTESTS('inline-cidr-as-peers-example'),
  },
  {
    shortName: 'AdminNetworkPolicyPriorityField',
    profile: 'core',
    policies: () => {
      const both = (name: string, action: string) => ({
        ingress: [rule('ingress', `${name}-all-ingress-from-slytherin`, action, [housePods('slytherin')])],
        egress: [rule('egress', `${name}-all-egress-to-slytherin`, action, [housePods('slytherin')])],
      });
      return [
        anp('priority-50-example', 50, housePods('gryffindor'), both('deny', 'Deny')),
        anp('old-priority-60-new-priority-40-example', 60, housePods('gryffindor'), both('pass', 'Pass')),
        banp(housePods('gryffindor'), both('allow', 'Allow')),
      ];
    },
    subtests: [
      {
        name: 'Should Deny traffic from slytherin to gryffindor respecting ANP',
        pokes: ['dm0 > hp0 tcp/80 deny', 'dm1 > hp0 tcp/8080 deny'],
      },
      {
        name: 'Should Deny traffic to slytherin from gryffindor respecting ANP',
        pokes: ['hp0 > dm0 tcp/80 deny', 'hp1 > dm0 tcp/8080 deny'],
      },
      {
        name: 'Should respect ANP priority field; thus passing both ingress and egress traffic over to BANP',
        change: setPriority('old-priority-60-new-priority-40-example', 40),
        pokes: [
          'dm0 > hp0 tcp/80 allow',
          'dm1 > hp0 tcp/8080 allow',
          'hp0 > dm0 tcp/80 allow',
          'hp1 > dm0 tcp/8080 allow',
        ],
      },
    ],
  },
  {
    shortName: 'AdminNetworkPolicyIntegration',
    profile: 'core',
    policies: () => [
      anp('pass-example', 10, houseNamespaces('gryffindor'), {
        ingress: [rule('ingress', 'deny-all-ingress-from-slytherin', 'Deny', [houseNamespaces('slytherin')])],
        egress: [rule('egress', 'deny-all-egress-to-slytherin', 'Deny', [houseNamespaces('slytherin')])],
      }),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: 'allow-gress-from-to-slytherin-to-gryffindor',
          namespace: 'network-policy-conformance-gryffindor',
        },
        // Upstream writes `podSelector:` with no value; the API server reads that null as every pod.
        spec: {
          podSelector: null,
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } } }] }],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } } }] }],
        },
      },
      banp(houseNamespaces('gryffindor'), {
        ingress: [rule('ingress', 'deny-all-ingress-from-slytherin', 'Deny', [houseNamespaces('slytherin')])],
        egress: [rule('egress', 'deny-all-egress-to-slytherin', 'Deny', [houseNamespaces('slytherin')])],
      }),
    ],
    subtests: [
      {
        name: 'Should Deny traffic from slytherin to gryffindor respecting ANP',
        pokes: ['dm0 > hp0 tcp/80 deny', 'dm1 > hp0 tcp/8080 deny'],
      },
      {
        name: 'Should Deny traffic to slytherin from gryffindor respecting ANP',
        pokes: ['hp0 > dm0 tcp/80 deny', 'hp1 > dm0 tcp/8080 deny'],
      },
      {
        name: "Should support a 'pass-ingress' policy for ANP and respect the match for network policy",
        change: setAction('pass-example', 'ingress', 0, 'Pass'),
        pokes: ['dm0 > hp0 tcp/80 allow', 'dm1 > hp0 tcp/8080 allow'],
      },
      {
        name: "Should support a 'pass-egress' policy for ANP and respect the match for network policy",
        change: setAction('pass-example', 'egress', 0, 'Pass'),
        pokes: ['hp0 > dm0 tcp/80 allow', 'hp1 > dm0 tcp/8080 allow'],
      },
      {
        name: "Should support a 'pass-ingress' policy for ANP and respect the match for baseline admin network policy",
        change: (p) => p.delete('allow-gress-from-to-slytherin-to-gryffindor'),
        pokes: ['dm0 > hp0 tcp/80 deny', 'dm1 > hp0 tcp/8080 deny'],
      },
      {
        name: "Should support a 'pass-egress' policy for ANP and respect the match for baseline admin network policy",
        pokes: ['hp0 > dm0 tcp/80 deny', 'hp1 > dm0 tcp/8080 deny'],
      },
    ],
  },
  {
    shortName: 'AdminNetworkPolicyEgressNamedPort',
    profile: 'extended',
    policies: egressTcp,
    subtests: [
      {
        name: "Should support an 'allow-egress' policy for named port",
        change: toNamedPort('egress-tcp', 'egress', 5, 'web'),
        pokes: ['hp0 > cd1 tcp/80 allow', 'hp1 > cd1 tcp/8080 deny'],
      },
    ],
  },
  {
    shortName: 'AdminNetworkPolicyIngressNamedPort',
    profile: 'extended',
    policies: ingressUdp,
    subtests: [
      {
        name: "Should support an 'allow-ingress' policy for named port",
        change: toNamedPort('ingress-udp', 'ingress', 5, 'dns'),
        pokes: ['hp0 > cd1 udp/53 allow', 'hp1 > cd1 udp/5353 deny'],
      },
    ],
  },
  {
    shortName: 'AdminNetworkPolicyEgressNodePeers',
    profile: 'extended',
    policies: () => [
      anp('node-and-cidr-as-peers-example', 75, housePods('gryffindor'), {
        egress: [
          rule('egress', 'allow-egress-to-36363-on-nodes', 'Allow', [nodes], [[36363, 'TCP']]),
          rule('egress', 'pass-egress-to-5353-on-nodes', 'Pass', [nodes], [[34345, 'UDP']]),
          rule('egress', 'deny-egress-to-slytherin-and-nodes-and-internet', 'Deny', [
            housePods('slytherin'),
            nodes,
            { networks: ['0.0.0.0/0', '::/0'] },
          ]),
        ],
      }),
    ],
    subtests: [
      { name: "Should support an 'allow-egress' rule policy for egress-node-peer", pokes: [] },
      { name: "Should support a 'pass-egress' rule policy for egress-node-peer", pokes: [] },
      { name: "Should support a 'deny-egress' rule policy for egress-node-peer", pokes: [] },
    ],
    refused: NODES_REFUSED,
  },
];
