// BaselineAdminNetworkPolicy conformance tests (core and extended) of network-policy-api v0.1.7.

import type { ConformanceRow, Subtest } from './anp-conformance.ts';
import { CIDR_SUBTESTS, GRESS_POKES, NODES_REFUSED } from './anp-conformance-admin.ts';
import { banp, house, ladder, rule, swap, toNamedPort } from './anp-conformance-policies.ts';

type Dir = 'ingress' | 'egress';
type Proto = 'TCP' | 'UDP' | 'SCTP';

/** The four subtests of a one-direction, one-protocol BANP test (no Pass in a baseline policy). */
function fourSubtests(dir: Dir, proto: Proto, pokes: readonly (readonly string[])[]): Subtest[] {
  return [
    {
      name: `Should support an 'allow-${dir}' policy for ${proto} protocol; ensure rule ordering is respected`,
      pokes: pokes[0]!,
    },
    { name: `Should support an 'allow-${dir}' policy for ${proto} protocol at the specified port`, pokes: pokes[1]! },
    {
      name: `Should support an 'deny-${dir}' policy for ${proto} protocol; ensure rule ordering is respected`,
      change: swap('default', dir, 0, 1),
      pokes: pokes[2]!,
    },
    { name: `Should support a 'deny-${dir}' policy for ${proto} protocol at the specified port`, pokes: pokes[3]! },
  ];
}

const one =
  (subject: string, dir: Dir, a: string, b: [string, [number, Proto][]], c: [string, [number, Proto][]]) => () => [
    banp(house(subject), { [dir]: ladder(dir, a, b, c, false) }),
  ];

const ingressTcp = one(
  'gryffindor',
  'ingress',
  'ravenclaw',
  ['slytherin', [[80, 'TCP']]],
  ['hufflepuff', [[80, 'TCP']]],
);
const ingressUdp = one(
  'hufflepuff',
  'ingress',
  'ravenclaw',
  ['slytherin', [[5353, 'UDP']]],
  ['gryffindor', [[53, 'UDP']]],
);
const ingressSctp = one(
  'ravenclaw',
  'ingress',
  'gryffindor',
  ['slytherin', [[9003, 'SCTP']]],
  ['hufflepuff', [[9003, 'SCTP']]],
);
const egressTcp = one(
  'gryffindor',
  'egress',
  'ravenclaw',
  ['slytherin', [[80, 'TCP']]],
  ['hufflepuff', [[8080, 'TCP']]],
);
const egressUdp = one(
  'hufflepuff',
  'egress',
  'ravenclaw',
  ['slytherin', [[5353, 'UDP']]],
  ['gryffindor', [[53, 'UDP']]],
);
const egressSctp = one(
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
const nodes = { nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } };

export const BASELINE_ROWS: ConformanceRow[] = [
  {
    shortName: 'BaselineAdminNetworkPolicyIngressTCP',
    profile: 'core',
    policies: ingressTcp,
    subtests: fourSubtests('ingress', 'TCP', [
      ['ll0 > hp0 tcp/80 allow', 'll1 > hp0 tcp/8080 allow'],
      ['cd0 > hp1 tcp/80 allow', 'cd1 > hp1 tcp/8080 deny'],
      ['ll0 > hp1 tcp/80 deny', 'll1 > hp1 tcp/8080 deny'],
      ['dm0 > hp0 tcp/80 deny', 'dm1 > hp0 tcp/8080 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyIngressUDP',
    profile: 'core',
    policies: ingressUdp,
    subtests: fourSubtests('ingress', 'UDP', [
      ['ll0 > cd0 udp/53 allow', 'll1 > cd0 udp/5353 allow'],
      ['hp0 > cd1 udp/53 allow', 'hp1 > cd1 udp/5353 deny'],
      ['ll0 > cd1 udp/53 deny', 'll1 > cd1 udp/5353 deny'],
      ['dm0 > cd0 udp/5353 deny', 'dm1 > cd0 udp/53 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyIngressSCTP',
    profile: 'core',
    policies: ingressSctp,
    subtests: fourSubtests('ingress', 'SCTP', [
      ['hp0 > ll0 sctp/9003 allow', 'hp1 > ll0 sctp/9005 allow'],
      ['cd0 > ll1 sctp/9003 allow', 'cd1 > ll1 sctp/9005 deny'],
      ['hp0 > ll1 sctp/9003 deny', 'hp1 > ll1 sctp/9005 deny'],
      ['dm0 > ll0 sctp/9003 deny', 'dm1 > ll0 sctp/9005 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressTCP',
    profile: 'core',
    policies: egressTcp,
    subtests: fourSubtests('egress', 'TCP', [
      ['hp0 > ll0 tcp/80 allow', 'hp1 > ll0 tcp/8080 allow'],
      ['hp0 > cd1 tcp/8080 allow', 'hp1 > cd1 tcp/80 deny'],
      ['hp0 > ll1 tcp/80 deny', 'hp1 > ll1 tcp/8080 deny'],
      ['hp0 > dm0 tcp/80 deny', 'hp1 > dm0 tcp/8080 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressUDP',
    profile: 'core',
    policies: egressUdp,
    subtests: fourSubtests('egress', 'UDP', [
      ['cd0 > ll0 udp/53 allow', 'cd1 > ll0 udp/5353 allow'],
      ['cd0 > hp1 udp/53 allow', 'cd1 > hp1 udp/5353 deny'],
      ['cd0 > ll1 udp/53 deny', 'cd1 > ll1 udp/5353 deny'],
      ['cd0 > dm0 udp/5353 deny', 'cd1 > dm0 udp/53 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressSCTP',
    profile: 'core',
    policies: egressSctp,
    subtests: fourSubtests('egress', 'SCTP', [
      ['ll0 > hp0 sctp/9003 allow', 'll1 > hp0 sctp/9005 allow'],
      ['ll0 > cd1 sctp/9003 allow', 'll1 > cd1 sctp/9005 deny'],
      ['ll0 > hp1 sctp/9003 deny', 'll1 > hp1 sctp/9005 deny'],
      ['ll0 > dm0 sctp/9003 deny', 'll1 > dm0 sctp/9005 allow'],
    ]),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyGress',
    profile: 'core',
    policies: () => [
      banp(house('gryffindor'), {
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
          false,
        ),
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
          false,
        ),
      }),
    ],
    subtests: [
      { name: "Should support an 'allow-gress' policy across different protocols", pokes: GRESS_POKES.allow },
      {
        name: "Should support an 'allow-gress' policy across different protocols at the specified ports",
        pokes: GRESS_POKES.allowAtPorts,
      },
      {
        name: "Should support an 'deny-gress' policy across different protocols",
        change: swap('default', 'both', 0, 1),
        pokes: GRESS_POKES.deny,
      },
      {
        name: "Should support a 'deny-gress' policy across different protocols at the specified ports",
        pokes: GRESS_POKES.denyAtPorts,
      },
    ],
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressInlineCIDRPeers',
    profile: 'core',
    policies: () => [
      banp(house('gryffindor'), {
        egress: [
          rule('egress', 'allow-egress-to-slytherin', 'Allow', [
            {
              pods: {
                namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } },
                podSelector: { matchLabels: { 'conformance-house': 'slytherin' } },
              },
            },
          ]),
          rule('egress', 'deny-egress-to-internet', 'Deny', [{ networks: ['0.0.0.0/0', '::/0'] }]),
        ],
      }),
    ],
    subtests: CIDR_SUBTESTS('default'),
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressNamedPort',
    profile: 'extended',
    policies: egressUdp,
    subtests: [
      {
        name: "Should support an 'allow-egress' policy for named port",
        change: toNamedPort('default', 'egress', 3, 'dns'),
        pokes: ['cd0 > hp1 udp/53 allow', 'cd1 > hp1 udp/5353 deny'],
      },
    ],
  },
  {
    shortName: 'BaselineAdminNetworkPolicyIngressNamedPort',
    profile: 'extended',
    policies: ingressTcp,
    subtests: [
      {
        name: "Should support an 'allow-ingress' policy for named port",
        change: toNamedPort('default', 'ingress', 3, 'web'),
        pokes: ['cd0 > hp1 tcp/80 allow', 'cd1 > hp1 tcp/8080 deny'],
      },
    ],
  },
  {
    shortName: 'BaselineAdminNetworkPolicyEgressNodePeers',
    profile: 'extended',
    policies: () => [
      banp(house('gryffindor'), {
        egress: [
          {
            ...rule('egress', 'allow-egress-to-36363-on-nodes', 'Allow', [nodes]),
            ports: [{ portRange: { protocol: 'TCP', start: 36363, end: 36364 } }],
          },
          rule('egress', 'deny-egress-to-nodes-and-internet', 'Deny', [nodes, { networks: ['0.0.0.0/0', '::/0'] }]),
        ],
      }),
    ],
    subtests: [
      { name: "Should support an 'allow-egress' rule policy for egress-node-peer", pokes: [] },
      { name: "Should support a 'deny-egress' rule policy for egress-node-peer", pokes: [] },
    ],
    refused: NODES_REFUSED,
  },
];
