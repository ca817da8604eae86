// e2e rows, part 1: default deny and selectors (TCP context of network_policy.go).
import { expr, labels } from './manifests.ts';
import type { E2eRow } from './netpol-e2e.ts';
import { ALL, allAllowed, apply, netpol, nsNamed, pod, probe, step } from './netpol-e2e-builders.ts';

const MD = 'kubernetes.io/metadata.name';
const tcp80 = { context: 'TCP', protocols: ['TCP'], ports: [80] } as const;

export const SELECTOR_ROWS: E2eRow[] = [
  {
    ...tcp80,
    it: "should support a 'default-deny-ingress' policy",
    pods: ['x/a', 'x/b', 'y/a', 'y/b'],
    steps: [
      step(
        'deny-ingress in x',
        apply(netpol('x', 'deny-ingress', ALL, { ingress: [] })),
        probe(80, 'TCP', (t) => t.peers({}, { ns: 'x' }, false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: "should support a 'default-deny-all' policy",
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'deny-all in x',
        apply(netpol('x', 'deny-all', ALL, { ingress: [], egress: [] })),
        probe(80, 'TCP', (t) => t.peers({}, { ns: 'x' }, false).peers({ ns: 'x' }, {}, false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    pods: ['x/a', 'x/b', 'x/c', 'y/a'],
    steps: [
      step(
        'x-a-allows-x-b',
        apply(netpol('x', 'x-a-allows-x-b', pod('a'), { ingress: [{ from: [{ podSelector: pod('b') }] }] })),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('x/b', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow ingress traffic for a target',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'deny-all and allow-all-to-a',
        apply(
          netpol('x', 'deny-all', ALL, { ingress: [] }),
          netpol('x', 'allow-all-to-a', pod('a'), {
            ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', true).allIngress('x/b', false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow ingress traffic from pods in all namespaces',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'allow-from-another-ns',
        apply(
          netpol('x', 'allow-from-another-ns', pod('a'), { ingress: [{ from: [{ namespaceSelector: labels({}) }] }] }),
        ),
        probe(80, 'TCP', allAllowed),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'allow-client-a-via-ns-selector',
        apply(
          netpol('x', 'allow-client-a-via-ns-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('y') }] }],
          }),
        ),
        probe(80, 'TCP', (t) =>
          t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false),
        ),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on PodSelector with MatchExpressions',
    pods: ['x/a', 'x/b', 'y/a'],
    steps: [
      step(
        'x-a-allows-x-b by expression',
        apply(
          netpol('x', 'x-a-allows-x-b', pod('a'), { ingress: [{ from: [{ podSelector: expr('pod', 'In', ['b']) }] }] }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('x/b', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on NamespaceSelector with MatchExpressions',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'allow-ns-y-match-selector',
        apply(
          netpol('x', 'allow-ns-y-match-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: expr(MD, 'In', ['y']) }] }],
          }),
        ),
        probe(80, 'TCP', (t) =>
          t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false),
        ),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on PodSelector or NamespaceSelector',
    pods: ['x/a', 'x/b', 'x/c', 'y/a'],
    steps: [
      step(
        'namespace NotIn x, or pod b',
        apply(
          netpol('x', 'allow-ns-y-match-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: expr(MD, 'NotIn', ['x']) }, { podSelector: pod('b') }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.expect('x/c', 'x/a', false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on PodSelector and NamespaceSelector',
    pods: ['x/a', 'x/b', 'y/a', 'y/b', 'z/b'],
    steps: [
      step(
        'namespace NotIn x and pod b',
        apply(
          netpol('x', 'allow-ns-y-podselector-and-nsselector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: expr(MD, 'NotIn', ['x']), podSelector: pod('b') }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('y/b', 'x/a', true).expect('z/b', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    pods: ['x/a', 'x/b', 'y/a', 'y/b', 'y/c'],
    steps: [
      step(
        'namespace NotIn x and pod In b, c',
        apply(
          netpol('x', 'allow-ns-y-z-pod-b-c', pod('a'), {
            ingress: [
              { from: [{ namespaceSelector: expr(MD, 'NotIn', ['x']), podSelector: expr('pod', 'In', ['b', 'c']) }] },
            ],
          }),
        ),
        probe(80, 'TCP', (t) => t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).expect('y/a', 'x/a', false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on any PodSelectors',
    pods: ['x/a', 'x/b', 'x/c'],
    steps: [
      step(
        'pod b or pod c',
        apply(
          netpol('x', 'allow-ns-x-pod-b-c', pod('a'), {
            ingress: [{ from: [{ podSelector: pod('b') }, { podSelector: pod('c') }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('x/b', 'x/a', true).expect('x/c', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    pods: ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'],
    steps: [
      step(
        'namespace y and pod a',
        apply(
          netpol('x', 'allow-ns-y-pod-a-via-namespace-pod-selector', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('y'), podSelector: pod('a') }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.allIngress('x/a', false).expect('y/a', 'x/a', true)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should deny ingress from pods on other namespaces',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'deny-empty-policy: only pods of x',
        apply(netpol('x', 'deny-empty-policy', ALL, { ingress: [{ from: [{ podSelector: labels({}) }] }] })),
        probe(80, 'TCP', (t) => t.peers({ ns: 'y' }, { ns: 'x' }, false).peers({ ns: 'z' }, { ns: 'x' }, false)),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'namespace named y',
        apply(
          netpol('x', 'allow-client-a-via-ns-selector-for-immutable-ns-label', pod('a'), {
            ingress: [{ from: [{ namespaceSelector: nsNamed('y') }] }],
          }),
        ),
        probe(80, 'TCP', (t) =>
          t.peers({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peers({ ns: 'z' }, { ns: 'x', pod: 'a' }, false),
        ),
      ),
    ],
  },
  {
    ...tcp80,
    it: 'should enforce policy based on NamespaceSelector with MatchExpressions using default ns label',
    pods: ['x/a', 'x/b', 'y/a', 'z/a'],
    steps: [
      step(
        'egress to namespaces NotIn y',
        apply(
          netpol('x', 'allow-ns-y-match-selector-for-immutable-ns-label', pod('a'), {
            egress: [{ to: [{ namespaceSelector: expr(MD, 'NotIn', ['y']) }] }],
          }),
        ),
        probe(80, 'TCP', (t) => t.peers({ ns: 'x', pod: 'a' }, { ns: 'y' }, false)),
      ),
    ],
  },
];
