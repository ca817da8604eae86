// e2e rows, part 2: ports, named ports and protocols (TCP context of network_policy.go).

import type { E2eRow, TruthTable } from './netpol-e2e.ts';
import { ALL, allAllowed, apply, netpol, nsNamed, pod, probe, step } from './netpol-e2e-builders.ts';

const tcp = (ports: number[]) => ({ context: 'TCP', protocols: ['TCP'], ports }) as const;
const onlyFromY = (t: TruthTable) =>
  t
    .peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false)
    .peers({ ns: 'y' }, { ns: 'x', pod: 'a' }, true)
    .peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false);
const fromY81 = netpol('x', 'allow-client-a-via-ns-selector', pod('a'), {
  ingress: [{ from: [{ namespaceSelector: nsNamed('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
});

export const PORT_ROWS: E2eRow[] = [
  {
    ...tcp([81]),
    it: 'should enforce policy based on Ports',
    pods: ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'],
    steps: [step('namespace y on port 81', apply(fromY81), probe(81, 'TCP', onlyFromY))],
  },
  {
    ...tcp([80, 81]),
    it: 'should enforce multiple, stacked policies with overlapping podSelectors',
    pods: ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'],
    steps: [
      step(
        'namespace y on port 81',
        apply(fromY81),
        probe(81, 'TCP', onlyFromY),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
      step(
        'a second policy unblocks port 80',
        apply(
          netpol('x', 'allow-client-a-via-ns-selector-80', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('y') }], ports: [{ port: 80, protocol: 'TCP' }] }],
          }),
        ),
        probe(80, 'TCP', onlyFromY),
      ),
    ],
  },
  {
    ...tcp([80, 81]),
    it: 'should support allow-all policy',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'allow-all',
        apply(netpol('x', 'allow-all', { matchLabels: {} }, { ingress: [{}] })),
        probe(80, 'TCP', allAllowed),
        probe(81, 'TCP', allAllowed),
      ),
    ],
  },
  {
    ...tcp([80, 81]),
    it: 'should allow ingress access on one named port',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'only serve-81-tcp into x',
        apply(netpol('x', 'allow-all', { matchLabels: {} }, { ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })),
        probe(81, 'TCP', allAllowed),
        probe(80, 'TCP', (t) => t.peers({}, { ns: 'x' }, false)),
      ),
    ],
  },
  {
    ...tcp([80, 81]),
    it: 'should allow ingress access from namespace on one named port',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'namespace y on serve-80-tcp',
        apply(
          netpol('x', 'allow-client-a-via-ns-selector-80', pod('a'), {
            ingress: [
              { from: [{ namespaceSelector: nsNamed('y') }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] },
            ],
          }),
        ),
        probe(80, 'TCP', (t) =>
          t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false),
        ),
        probe(81, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
    ],
  },
  {
    ...tcp([80, 81]),
    it: 'should allow egress access on one named port',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'egress only to serve-80-tcp',
        apply(netpol('x', 'allow-egress', { matchLabels: {} }, { egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })),
        probe(80, 'TCP', allAllowed),
        probe(81, 'TCP', (t) => t.peers({ ns: 'x' }, {}, false)),
      ),
    ],
  },
  {
    ...tcp([80, 81]),
    it: 'should work with Ingress, Egress specified together',
    pods: ['x/a', 'x/b', 'x/c', 'y/a'],
    steps: [
      step(
        'ingress from pod b, egress to port 80',
        apply(
          netpol('x', 'allow-client-a-via-pod-selector', pod('a'), {
            ingress: [{ from: [{ podSelector: pod('b') }] }],
            egress: [{ ports: [{ port: 80 }] }],
            policyTypes: ['Egress', 'Ingress'],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('x/b', 'x/a', true)),
        probe(81, 'TCP', (t) => t.allIngress('x/a', false).allEgress('x/a', false).expect('x/b', 'x/a', true)),
      ),
    ],
  },
  {
    context: 'TCP',
    protocols: ['TCP', 'UDP'],
    ports: [80],
    it: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'any TCP port into x/a',
        apply(netpol('x', 'allow-ingress-by-proto', pod('a'), { ingress: [{ ports: [{ protocol: 'TCP' }] }] })),
        probe(80, 'TCP', allAllowed),
        probe(80, 'UDP', (t) => t.peers({}, { ns: 'x', pod: 'a' }, false)),
      ),
    ],
  },
  {
    ...tcp([81]),
    it: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'only port 80 into x',
        apply(netpol('x', 'allow-ingress-port-80', { matchLabels: {} }, { ingress: [{ ports: [{ port: 80 }] }] })),
        probe(81, 'TCP', (t) => t.peers({}, { ns: 'x' }, false)),
      ),
      step(
        'allow all ports',
        apply(netpol('x', 'allow-ingress', { matchLabels: {} }, { ingress: [{}] })),
        probe(81, 'TCP', allAllowed),
      ),
    ],
  },
  {
    ...tcp([81]),
    it: 'should enforce multiple egress policies with egress allow-all policy taking precedence',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'only port 80 out of x',
        apply(netpol('x', 'allow-egress-port-80', { matchLabels: {} }, { egress: [{ ports: [{ port: 80 }] }] })),
        probe(81, 'TCP', (t) => t.peers({ ns: 'x' }, {}, false)),
      ),
      step(
        'allow all ports',
        apply(netpol('x', 'allow-egress', { matchLabels: {} }, { egress: [{}] })),
        probe(81, 'TCP', allAllowed),
      ),
    ],
  },
  {
    ...tcp([81]),
    it: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'deny-ingress, and SCTP only on 81',
        apply(
          netpol('x', 'deny-ingress', ALL, { ingress: [] }),
          netpol('x', 'allow-only-sctp-ingress-on-port-81', pod('a'), {
            ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }],
          }),
        ),
        probe(81, 'TCP', (t) => t.peers({}, { ns: 'x' }, false)),
      ),
    ],
  },
  {
    ...tcp([81]),
    it: "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'SCTP only on 80',
        apply(
          netpol('x', 'allow-only-sctp-ingress-on-port-80', pod('a'), {
            ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }],
          }),
        ),
        probe(81, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
    ],
  },
  {
    ...tcp([81]),
    it: 'should not allow access by TCP when a policy specifies only UDP',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'UDP only on 81',
        apply(
          netpol('x', 'allow-only-udp-ingress-on-port-81', pod('a'), {
            ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }],
          }),
        ),
        probe(81, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
    ],
  },
];
