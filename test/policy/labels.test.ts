// Label selectors as Kubernetes reads them (apimachinery labels.Selector): each operator on pods with and without
// the key, all requirements at once, and the canonical text a selector is shown and cached under.
import t from 'tap';
import type { Finding } from '../../src/model/lint.ts';
import { buildModel } from '../../src/policy/index.ts';
import { lint, withDnsServer } from '../../src/policy/lint/index.ts';
import { docs, NAMESPACES, np, type Row, runRows, topologyWorkloads } from './harness.ts';

/** A policy isolating the pods of x that `podSelector` selects for ingress, allowing nothing in. */
const isolate = (podSelector: string): string =>
  np('x', 'isolate', `podSelector: ${podSelector}\npolicyTypes: [Ingress]`);

// Pods are labelled {pod: a|b|c}; namespaces {ns: x|y|z} (harness.ts). Upstream: k8s.io/apimachinery
// pkg/labels/selector.go, Requirement.Matches: In and Exists need the key, NotIn and DoesNotExist hold without it.
const rows: Row[] = [
  {
    name: 'In selects the pods whose value is listed',
    policies: isolate('{matchExpressions: [{key: pod, operator: In, values: [a, c]}]}'),
    expect: ['allow * -> *', 'deny * -> x/a', 'deny * -> x/c'],
  },
  {
    name: 'In needs the key: a pod without it is not selected',
    policies: isolate('{matchExpressions: [{key: team, operator: In, values: [a]}]}'),
    expect: ['allow * -> *'],
  },
  {
    name: 'NotIn selects the pods whose value is not listed',
    policies: isolate('{matchExpressions: [{key: pod, operator: NotIn, values: [a, c]}]}'),
    expect: ['allow * -> *', 'deny * -> x/b'],
  },
  {
    name: 'NotIn selects a pod without the key',
    policies: isolate('{matchExpressions: [{key: team, operator: NotIn, values: [a]}]}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'Exists selects the pods with the key',
    policies: isolate('{matchExpressions: [{key: pod, operator: Exists}]}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'Exists selects no pod without the key',
    policies: isolate('{matchExpressions: [{key: team, operator: Exists}]}'),
    expect: ['allow * -> *'],
  },
  {
    name: 'DoesNotExist selects no pod with the key',
    policies: isolate('{matchExpressions: [{key: pod, operator: DoesNotExist}]}'),
    expect: ['allow * -> *'],
  },
  {
    name: 'DoesNotExist selects the pods without the key',
    policies: isolate('{matchExpressions: [{key: team, operator: DoesNotExist}]}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'a key named like an Object method is a label like any other (absent here)',
    policies: isolate('{matchExpressions: [{key: constructor, operator: Exists}]}'),
    expect: ['allow * -> *'],
  },
  {
    name: 'every requirement must hold: matchLabels and matchExpressions together',
    policies: isolate('{matchLabels: {pod: b}, matchExpressions: [{key: pod, operator: In, values: [a, b]}]}'),
    expect: ['allow * -> *', 'deny * -> x/b'],
  },
  {
    name: 'every requirement must hold: a later one that fails deselects',
    policies: isolate('{matchExpressions: [{key: pod, operator: Exists}, {key: pod, operator: NotIn, values: [a]}]}'),
    expect: ['allow * -> *', 'deny * -> x/b', 'deny * -> x/c'],
  },
  {
    name: 'selectors differing only in NotIn values are told apart (namespaceSelector peers)',
    policies: np(
      'x',
      'two-peers',
      'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x, y]}]}}]\n  ports: [{port: 80}]\n- from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x, z]}]}}]\n  ports: [{port: 81}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'selectors differing only in DoesNotExist keys are told apart',
    policies: np(
      'x',
      'two-peers',
      'podSelector: {}\ningress:\n- from: [{podSelector: {matchExpressions: [{key: pod, operator: DoesNotExist}]}}]\n  ports: [{port: 80}]\n- from: [{podSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}}]\n  ports: [{port: 81}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
];

t.test('selectors select the pods Kubernetes selects', async (t) => runRows(t, rows));

t.test('port 81 of the two-peer rows: the second selector is not the first one reused', async (t) => {
  runRows(t, [
    { ...rows.at(-2)!, port: 81, expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'] },
    { ...rows.at(-1)!, port: 81, expect: ['allow * -> *', 'deny * -> x/*', 'allow x/* -> x/*'] },
  ]);
});

/**
 * The PL001 message of a NetworkPolicy in `ns` (x, or w, a namespace without workloads) whose podSelector
 * selects no pod: it shows the selector's text.
 */
function shownSelector(podSelector: string, ns = 'x'): string {
  const { input, assumed } = withDnsServer({
    namespaces: [...NAMESPACES, 'w'].map((name) => ({ name, labels: { ns: name } })),
    workloads: topologyWorkloads(),
    services: [],
    policies: docs(np(ns, 'p', `podSelector: ${podSelector}`)),
  });
  const found: Finding[] = lint(buildModel(input), { assumedDns: assumed }).findings.filter((f) => f.id === 'PL001');
  const m = new RegExp(`\\(namespace ${ns}, pods (.*)\\): it isolates`).exec(found[0]?.message ?? '');
  return m ? m[1]! : `no PL001 finding: ${JSON.stringify(found)}`;
}

t.test('a selector is shown in canonical text: sorted by key, then operator; values sorted, once each', async (t) => {
  t.equal(shownSelector('{}', 'w'), '{}', 'the empty selector as {}');
  t.equal(shownSelector('{matchLabels: {pod: d}}'), 'pod=d', 'matchLabels as key=value');
  t.equal(
    shownSelector('{matchExpressions: [{key: pod, operator: In, values: [d, d]}]}'),
    'pod=d',
    'In with one value (given twice) as key=value',
  );
  t.equal(
    shownSelector(
      '{matchLabels: {pod: d}, matchExpressions: [{key: zone, operator: NotIn, values: [b, a, b]}, {key: app, operator: In, values: [y, x]}, {key: app, operator: Exists}, {key: tier, operator: DoesNotExist}]}',
    ),
    'app,app in (x,y),pod=d,!tier,zone notin (a,b)',
    'each operator in its own form, in order',
  );
  t.equal(
    shownSelector(
      '{matchExpressions: [{key: b, operator: Exists}, {key: a, operator: Exists}, {key: pod, operator: In, values: [d]}]}',
    ),
    'a,b,pod=d',
    'keys sorted whatever order they were written in',
  );
});
