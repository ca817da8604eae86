// NetworkPolicy v1 semantics, one per row, on namespaces x/y/z × pods a/b/c (ports 80, 81).
import t from 'tap';
import { np, type Row, runRows } from './harness.ts';

const denyIngressX = np('x', 'deny-ingress', 'podSelector: {}');

const rows: Row[] = [
  { name: 'no policy: everything allowed', policies: '', expect: ['allow * -> *'] },
  {
    name: 'default deny ingress (policyTypes omitted, no rules)',
    policies: denyIngressX,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'deny all ingress and egress',
    policies: np('x', 'deny-all', 'podSelector: {}\npolicyTypes: [Ingress, Egress]'),
    expect: ['allow * -> *', 'deny * -> x/*', 'deny x/* -> *'],
  },
  {
    name: 'allow-all ingress rule (empty rule) on top of a default deny',
    policies: denyIngressX + np('x', 'allow-all', 'podSelector: {}\ningress: [{}]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'empty from and empty ports lists mean all',
    policies: np('x', 'empties', 'podSelector: {}\ningress: [{from: [], ports: []}]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'namespace selector',
    policies: np(
      'x',
      'from-y',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a'],
  },
  {
    name: 'implied kubernetes.io/metadata.name namespace label',
    policies: np(
      'x',
      'from-z',
      'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'pod selector alone means the policy namespace',
    policies: np(
      'x',
      'from-b',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: b}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow x/b -> x/a'],
  },
  {
    name: 'namespaceSelector AND podSelector in one peer',
    policies: np(
      'x',
      'and',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/b -> x/a'],
  },
  {
    name: 'separate peers are OR',
    policies: np(
      'x',
      'or',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}, {podSelector: {matchLabels: {pod: b}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a', 'allow x/b -> x/a'],
  },
  {
    name: 'empty namespaceSelector means every namespace',
    policies: np(
      'x',
      'any-c',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: c}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow */c -> x/a'],
  },
  {
    name: 'matchExpressions NotIn and In',
    policies: np(
      'x',
      'exprs',
      'podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}\ningress:\n- from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [y]}]}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'deny * -> x/b', 'allow x/* -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'matchExpressions Exists and DoesNotExist',
    policies: np(
      'x',
      'exists',
      'podSelector: {matchExpressions: [{key: pod, operator: Exists}]}\ningress:\n- from: [{namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}}]',
    ),
    namespaceLabels: { z: { team: 'blue' } },
    expect: ['allow * -> *', 'deny z/* -> x/*'],
  },
  {
    name: 'ipBlock with except (pod IPs known)',
    policies: np(
      'x',
      'cidr',
      'podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]',
    ),
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'egress deny',
    policies: np('x', 'no-egress', 'podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]'),
    expect: ['allow * -> *', 'deny x/a -> *'],
  },
  {
    name: 'named port for ingress: port 80 is not serve-81-tcp',
    policies: np('x', 'named', 'podSelector: {}\ningress:\n- ports: [{port: serve-81-tcp}]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'named port for ingress: port 81 is serve-81-tcp',
    policies: np('x', 'named', 'podSelector: {}\ningress:\n- ports: [{port: serve-81-tcp}]'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'named port with the wrong protocol does not match',
    policies: np('x', 'named-udp', 'podSelector: {}\ningress:\n- ports: [{port: serve-80-tcp, protocol: UDP}]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'named port for egress resolves on the destination',
    policies: np(
      'x',
      'egress-named',
      'podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports: [{port: serve-80-tcp}]',
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'named port for egress: other ports denied',
    policies: np(
      'x',
      'egress-named',
      'podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports: [{port: serve-80-tcp}]',
    ),
    port: 81,
    expect: ['allow * -> *', 'deny x/a -> *'],
  },
  {
    name: 'stacked policies are additive',
    policies:
      np(
        'x',
        'from-y',
        'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]',
      ) +
      np(
        'x',
        'from-z-b',
        'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: z}}, podSelector: {matchLabels: {pod: b}}}]',
      ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a', 'allow z/b -> x/a'],
  },
  {
    name: 'ingress and egress in one policy (egress inferred from rules)',
    policies: np(
      'x',
      'both',
      'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]\negress:\n- to: [{namespaceSelector: {matchLabels: {ns: z}}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow y/* -> x/a', 'deny x/a -> *', 'allow x/a -> z/*'],
  },
  {
    name: 'client-side egress deny overrides a server-side allow',
    policies:
      np('x', 'allow-y', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]') +
      np('y', 'b-no-egress', 'podSelector: {matchLabels: {pod: b}}\npolicyTypes: [Egress]'),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*', 'deny y/b -> *'],
  },
  {
    name: 'endPort range includes the port',
    policies: np('x', 'range', 'podSelector: {}\ningress:\n- ports: [{port: 79, endPort: 81}]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'endPort range excludes the port',
    policies: np('x', 'range', 'podSelector: {}\ningress:\n- ports: [{port: 81, endPort: 90}]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'protocol-only port allows every UDP port',
    policies: np('x', 'udp-only', 'podSelector: {}\ningress:\n- ports: [{protocol: UDP}]'),
    protocol: 'UDP',
    expect: ['allow * -> *'],
  },
  {
    name: 'protocol-only UDP port does not allow TCP',
    policies: np('x', 'udp-only', 'podSelector: {}\ningress:\n- ports: [{protocol: UDP}]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'protocol defaults to TCP',
    policies: np('x', 'tcp-80', 'podSelector: {}\ningress:\n- ports: [{port: 80}]'),
    protocol: 'UDP',
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'SCTP port allowed',
    policies: np('x', 'sctp', 'podSelector: {}\ningress:\n- ports: [{port: 80, protocol: SCTP}]'),
    protocol: 'SCTP',
    expect: ['allow * -> *'],
  },
  {
    name: 'SCTP rule does not allow TCP',
    policies: np('x', 'sctp', 'podSelector: {}\ningress:\n- ports: [{port: 80, protocol: SCTP}]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'deny-all egress except DNS: DNS allowed',
    policies: np(
      'x',
      'dns-only',
      'podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
    ),
    port: 53,
    protocol: 'UDP',
    expect: ['allow * -> *'],
  },
  {
    name: 'deny-all egress except DNS: the rest denied',
    policies: np(
      'x',
      'dns-only',
      'podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
    ),
    expect: ['allow * -> *', 'deny x/* -> *'],
  },
  {
    name: 'egress rules ignored when policyTypes lists only Ingress',
    policies: np(
      'x',
      'ingress-only',
      'podSelector: {}\npolicyTypes: [Ingress]\ningress: [{}]\negress:\n- to: [{podSelector: {}}]',
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'an empty policyTypes list is defaulted like an absent one',
    policies: np('x', 'empty-types', 'podSelector: {}\npolicyTypes: []\negress:\n- to: [{podSelector: {}}]'),
    // Both directions isolated; egress to x is allowed but x's ingress allows nothing.
    expect: ['allow * -> *', 'deny * -> x/*', 'deny x/* -> *'],
  },
  {
    name: 'a policy only selects pods of its own namespace',
    policies: np('y', 'deny-a', 'podSelector: {matchLabels: {pod: a}}'),
    expect: ['allow * -> *', 'deny * -> y/a'],
  },
];

runRows(t, rows);
