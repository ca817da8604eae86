// e2e rows, part 3: egress, ipBlock, updates as steps (TCP), and the UDP and SCTP contexts.
import type { Protocol } from '../../../src/policy/index.ts';
import { labels } from './manifests.ts';
import type { ClusterState, E2eRow } from './netpol-e2e.ts';
import { ALL, allAllowed, apply, netpol, nsNamed, pod, probe, step } from './netpol-e2e-builders.ts';

const tcp = (ports: number[]) => ({ context: 'TCP', protocols: ['TCP'], ports }) as const;

/** makeLargeCIDRForIP: the /4 holding the pod's IP (every pod of this model is in 0.0.0.0/4). */
const large = (ip: string): string => `${(Number(ip.split('.')[0]) >> 4) << 4}.0.0.0/4`;
const cidrEgress = (s: ClusterState, block: Record<string, unknown>) =>
  apply(netpol('x', 'allow-client-a-via-cidr-egress-rule', pod('a'), { egress: [{ to: [{ ipBlock: block }] }] }))(s);

const relabelPod = (p: string, extra: Record<string, string>) => (s: ClusterState) =>
  s.podLabels.set(p, { ...s.podLabels.get(p), ...extra });

export const CHANGE_ROWS: E2eRow[] = [
  {
    ...tcp([81]),
    it: 'should enforce updated policy',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'allow all',
        apply(netpol('x', 'allow-all-mutate-to-deny-all', { matchLabels: {} }, { ingress: [{}] })),
        probe(81, 'TCP', allAllowed),
      ),
      step(
        'updated to deny all',
        apply(netpol('x', 'allow-all-mutate-to-deny-all', { matchLabels: {} }, { ingress: [] })),
        probe(81, 'TCP', (t) => t.peers({}, { ns: 'x' }, false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should allow ingress access from updated namespace',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'from namespaces labelled ns2=updated',
        apply(
          netpol('x', 'allow-client-a-via-ns-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: labels({ ns2: 'updated' }) }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
      step(
        'label namespace y',
        (s) => s.namespaceLabels.set('y', { ns2: 'updated' }),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).peers({ ns: 'y' }, {}, true)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should allow ingress access from updated pod',
    pods: ['x/a', 'x/b'],
    steps: [
      step(
        'from pods b with pod2=updated',
        apply(
          netpol('x', 'allow-client-a-via-pod-selector', pod('a'), {
            ingress: [{ from: [{ podSelector: labels({ pod: 'b', pod2: 'updated' }) }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
      step(
        'label pod x/b',
        relabelPod('x/b', { pod: 'b', pod2: 'updated' }),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('x/b', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should deny ingress access to updated pod',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'deny pods labelled target=isolated',
        apply(netpol('x', 'deny-ingress-via-label-selector', labels({ target: 'isolated' }), { ingress: [] })),
        probe(80, 'TCP', allAllowed),
      ),
      step(
        'label pod x/a',
        relabelPod('x/a', { target: 'isolated' }),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should stop enforcing policies after they are deleted',
    pods: ['x/a', 'y/a'],
    steps: [
      step(
        'deny-all in x',
        apply(netpol('x', 'deny-all', ALL, { ingress: [], egress: [] })),
        probe(80, 'TCP', (t) => t.peers({ ns: 'x' }, {}, false).peers({}, { ns: 'x' }, false)),
      ),
      step('policies deleted', (s) => s.policies.clear(), probe(80, 'TCP', allAllowed)),
    ],
  },
  {
    ...tcp([80]),
    it: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'allow all egress of x/a',
        apply(netpol('x', 'allow-egress-for-target', pod('a'), { egress: [{}] })),
        probe(80, 'TCP', allAllowed),
      ),
      step(
        'deny ingress of x/a',
        apply(netpol('x', 'deny-ingress-via-label-selector', pod('a'), { ingress: [] })),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should deny egress from pods based on PodSelector',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'deny egress of x/a',
        apply(netpol('x', 'deny-egress-pod-a', pod('a'), { egress: [] })),
        probe(80, 'TCP', (t) => t.allEgress('x/a', false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should deny egress from all pods in a namespace',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'deny egress of x',
        apply(netpol('x', 'deny-egress-ns-x', ALL, { egress: [] })),
        probe(80, 'TCP', (t) => t.peers({ ns: 'x' }, {}, false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    pods: ['x/a', 'y/a', 'y/b'],
    steps: [
      step(
        'x/a may reach y/a only; y/a and y/b accept x/a',
        apply(
          netpol('x', 'allow-to-ns-y-pod-a', pod('a'), {
            egress: [{ to: [{ namespaceSelector: nsNamed('y'), podSelector: pod('a') }] }],
          }),
          netpol('y', 'allow-from-xa-on-ya-match-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('x'), podSelector: pod('a') }] }],
          }),
          netpol('y', 'allow-from-xa-on-yb-match-selector', pod('b'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('x'), podSelector: pod('a') }] }],
          }),
        ),
        probe(80, 'TCP', (t) =>
          t
            .peers({ ns: 'x', pod: 'a' }, {}, false)
            .peers({}, { ns: 'y', pod: 'a' }, false)
            .peers({ ns: 'x', pod: 'a' }, { ns: 'y', pod: 'a' }, true)
            .peers({}, { ns: 'y', pod: 'b' }, false),
        ),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    pods: ['x/a', 'y/a', 'y/b'],
    steps: [
      step(
        'egress of x/a to y/a',
        apply(
          netpol('x', 'allow-to-ns-y-pod-a', pod('a'), {
            egress: [{ to: [{ namespaceSelector: nsNamed('y'), podSelector: pod('a') }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allEgress('x/a', false).expect('x/a', 'y/a', true)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should allow egress access to server in CIDR block',
    pods: ['x/a', 'y/a', 'y/b'],
    steps: [
      step(
        "egress to y/b's IP",
        (s) => cidrEgress(s, { cidr: `${s.ip('y/b')}/32` }),
        probe(80, 'TCP', (t) => t.allEgress('x/a', false).expect('x/a', 'y/b', true)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should enforce except clause while egress access to server in CIDR block',
    pods: ['x/a', 'x/b', 'x/c'],
    steps: [
      step(
        "a /4 except x/b's IP",
        (s) => cidrEgress(s, { cidr: large(s.ip('x/b')), except: [`${s.ip('x/b')}/32`] }),
        probe(80, 'TCP', (t) => t.expect('x/a', 'x/b', false)),
      ),
    ],
  },
  {
    ...tcp([80]),
    it: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed',
    pods: ['x/a', 'x/b', 'x/c'],
    steps: [
      step(
        "a /4 except x/b's IP",
        (s) => cidrEgress(s, { cidr: large(s.ip('x/b')), except: [`${s.ip('x/b')}/32`] }),
        probe(80, 'TCP', (t) => t.expect('x/a', 'x/b', false)),
      ),
      step(
        "updated to x/b's IP only",
        (s) => cidrEgress(s, { cidr: `${s.ip('x/b')}/32` }),
        probe(80, 'TCP', (t) => t.allEgress('x/a', false).expect('x/a', 'x/b', true)),
      ),
    ],
  },
  ...(['UDP', 'SCTP'] as const).flatMap((protocol): E2eRow[] => {
    const lower = protocol as Protocol;
    return [
      {
        context: protocol,
        protocols: [lower],
        ports: [80],
        it: "should support a 'default-deny-ingress' policy",
        pods: ['x/a', 'x/b', 'y/a', 'y/b'],
        steps: [
          step(
            'deny-all ingress in x',
            apply(netpol('x', 'deny-all', ALL, { ingress: [] })),
            probe(80, lower, (t) => t.peers({}, { ns: 'x' }, false)),
          ),
        ],
      },
      {
        context: protocol,
        protocols: [lower],
        ports: [81],
        it: 'should enforce policy based on Ports',
        pods: ['x/a', 'x/b', 'y/a', 'z/a'],
        steps: [
          step(
            `namespace y on 81/${protocol}`,
            apply(
              netpol('x', 'allow-ingress-on-port-81-ns-x', pod('a'), {
                ingress: [{ from: [{ namespaceSelector: nsNamed('y') }], ports: [{ port: 81, protocol }] }],
              }),
            ),
            probe(81, lower, (t) =>
              t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false),
            ),
          ),
        ],
      },
      {
        context: protocol,
        protocols: [lower],
        ports: [80],
        it: 'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
        pods: ['x/a', 'x/b', 'y/a'],
        steps: [
          step(
            'namespace y and pod a',
            apply(
              netpol('x', 'allow-ns-y-pod-a-via-namespace-pod-selector', pod('a'), {
                ingress: [{ from: [{ namespaceSelector: nsNamed('y'), podSelector: pod('a') }] }],
              }),
            ),
            probe(80, lower, (t) => t.allIngress('x/a', false).expect('y/a', 'x/a', true)),
          ),
        ],
      },
    ];
  }),
];
