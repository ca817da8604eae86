// ClusterNetworkPolicy `domainNames` egress peers (network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go,
// `DomainName` and `ClusterNetworkPolicyEgressPeer.DomainNames`; npep-133): matched by name as the doc comment
// defines it, never matching pods, and undecidable wherever only DNS answers would decide.
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { buildModel } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import type { Prediction } from '../../src/policy/prediction.ts';
import { checkMatrix, docs, indent, topologyModel } from './harness.ts';

const cnp = (name: string, priority: number, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: Admin\n  priority: ${priority}\n  subject: {namespaces: {matchLabels: {ns: x}}}\n${indent(spec)}\n---\n`;
/** The allowlist npep-133 describes: Accept the names, then deny every other address of both families. */
const allowlist = (names: string, deny = '[0.0.0.0/0, "::/0"]'): string =>
  cnp(
    'egress-allowlist',
    10,
    `egress:\n- {name: names, action: Accept, to: [{domainNames: [${names}]}]}\n- {name: rest, action: Deny, to: [{networks: ${deny}}]}`,
  );

t.test('a domainNames peer never matches pods: the names are destinations outside the cluster', (t) => {
  const model = topologyModel(
    cnp(
      'names-then-deny',
      10,
      'egress:\n- {action: Accept, to: [{domainNames: ["*.example.com"]}]}\n- {action: Deny, to: [{namespaces: {}}]}',
    ),
  );
  checkMatrix(t, model, ['allow * -> *', 'deny x/* -> *'], 80, 'TCP');
  t.end();
});

t.test(
  'a name that may be a pod record (npep-133: pod and headless Service names) leaves pod cells undecidable',
  (t) => {
    const model = topologyModel(
      cnp(
        'headless',
        10,
        'egress:\n- {action: Accept, to: [{domainNames: ["*.svc.cluster.local"]}]}\n- {action: Deny, to: [{namespaces: {}}]}',
      ),
    );
    const m = model.matrix(80, 'TCP');
    const [xa, yb] = [m.workloads.findIndex((w) => w.id === 'x/a'), m.workloads.findIndex((w) => w.id === 'y/b')];
    t.equal(m.computed(xa, yb), 'unknown');
    t.equal(m.computed(yb, xa), 'allow', 'y is no subject');
    const d = model.decide({ from: { workload: 'x/a' }, to: { workload: 'y/b' }, port: 80 });
    t.equal(d.computed, 'unknown');
    t.match(d.egress?.explanation, /DNS answers/);
    t.end();
  },
);

t.test('which patterns may name a pod or headless Service record (cluster domain cluster.local, whole labels)', (t) => {
  const podCells: [string, 'unknown' | 'deny'][] = [
    ['"*.cluster.local"', 'unknown'],
    ['"*.x.pod.cluster.local"', 'unknown'],
    ['web.x.svc.cluster.local', 'unknown'],
    ['"*.er.local"', 'deny'],
    ['"*.example.com"', 'deny'],
    ['svc.example.com', 'deny'],
  ];
  for (const [pattern, want] of podCells) {
    const m = topologyModel(
      cnp(
        'p',
        10,
        `egress:\n- {action: Accept, to: [{domainNames: [${pattern}]}]}\n- {action: Deny, to: [{namespaces: {}}]}`,
      ),
    );
    t.equal(m.decide({ from: { workload: 'x/a' }, to: { workload: 'y/b' }, port: 80 }).computed, want, pattern);
  }
  t.end();
});

// The DomainName doc comment's examples, row by row: pattern, name, whether the pattern names it.
const names: [string, string, boolean][] = [
  ['kubernetes.io', 'kubernetes.io', true],
  ['kubernetes.io', 'www.kubernetes.io', false],
  ['kubernetes.io', 'blog.kubernetes.io', false],
  ['kubernetes.io', 'my-kubernetes.io', false],
  ['kubernetes.io', 'wikipedia.org', false],
  ['blog.kubernetes.io', 'blog.kubernetes.io', true],
  ['blog.kubernetes.io', 'www.kubernetes.io', false],
  ['blog.kubernetes.io', 'kubernetes.io', false],
  ['"*.kubernetes.io"', 'www.kubernetes.io', true],
  ['"*.kubernetes.io"', 'blog.kubernetes.io', true],
  ['"*.kubernetes.io"', 'latest.blog.kubernetes.io', true],
  ['"*.kubernetes.io"', 'kubernetes.io', false],
  ['"*.kubernetes.io"', 'wikipedia.org', false],
  // DNS names compare case-insensitively, and a trailing dot is the same name (the pattern allows one).
  ['KUBERNETES.io.', 'kubernetes.io', true],
];

t.test('a name target is matched by name and wildcard as the DomainName doc comment defines it', (t) => {
  for (const [pattern, name, matched] of names) {
    const model = topologyModel(allowlist(pattern));
    const d = model.decide({ from: { workload: 'x/a' }, to: { name }, port: 443 });
    t.equal(d.computed, matched ? 'allow' : 'deny', `${pattern} ${matched ? 'names' : 'does not name'} ${name}`);
  }
  t.end();
});

t.test('cells that hang on DNS answers are undecidable, with the reason', (t) => {
  const model = topologyModel(allowlist('"*.example.com"'));
  const byIp = model.decide({ from: { workload: 'x/a' }, to: { ip: '203.0.113.9' }, port: 443 });
  t.equal(byIp.computed, 'unknown', 'an IP an FQDN rule may cover');
  t.match(byIp.egress?.explanation, /egress-allowlist egress\[0\] "names".*DNS answers/);
  const v4only = topologyModel(allowlist('"*.example.com"', '[0.0.0.0/0]'));
  const other = v4only.decide({ from: { workload: 'x/a' }, to: { name: 'other.org' }, port: 443 });
  t.equal(other.computed, 'unknown', 'a name target when IP rules apply: other.org may resolve to IPv6 only');
  t.match(other.egress?.explanation, /addresses other\.org resolves to/);
  const v4 = v4only.decide({ from: { workload: 'x/a' }, to: { name: 'other.org', family: 'ipv4' }, port: 443 });
  t.equal(v4.computed, 'deny', 'over IPv4, 0.0.0.0/0 holds every address it may resolve to');
  const notSubject = model.decide({ from: { workload: 'y/a' }, to: { ip: '203.0.113.9' }, port: 443 });
  t.equal(notSubject.computed, 'allow', 'no rule applies to y: decided');
  t.end();
});

const refusals: [string, string, RegExp][] = [
  [
    'Deny with domainNames (documented as Accept only)',
    'egress: [{action: Deny, to: [{domainNames: [example.com]}]}]',
    /spec\.egress\[0\]\.to\[0\]\.domainNames: domainNames peers are only supported for Accept rules \(found Deny\)/,
  ],
  [
    'Pass with domainNames',
    'egress: [{action: Pass, to: [{domainNames: [example.com]}]}]',
    /spec\.egress\[0\]\.to\[0\]\.domainNames: domainNames peers are only supported for Accept rules \(found Pass\)/,
  ],
  [
    'a partial wildcard',
    'egress: [{action: Accept, to: [{domainNames: ["*kubernetes.io"]}]}]',
    /domainNames: "\*kubernetes\.io" is not a domain name/,
  ],
  [
    'a wildcard past the first label',
    'egress: [{action: Accept, to: [{domainNames: ["www.*.io"]}]}]',
    /domainNames: "www\.\*\.io" is not a domain name/,
  ],
  [
    'a single label',
    'egress: [{action: Accept, to: [{domainNames: [localhost]}]}]',
    /"localhost" is not a domain name/,
  ],
  [
    'duplicate names (listType set)',
    'egress: [{action: Accept, to: [{domainNames: [example.com, example.com]}]}]',
    /domainNames: duplicate value "example\.com"/,
  ],
  [
    'more than 25 names',
    `egress: [{action: Accept, to: [{domainNames: [${Array.from({ length: 26 }, (_, i) => `n${i}.example.com`).join(', ')}]}]}]`,
    /domainNames: needs 1-25 items, found 26/,
  ],
  [
    'domainNames in an ingress peer',
    'ingress: [{action: Accept, from: [{domainNames: [example.com]}]}]',
    /spec\.ingress\[0\]\.from\[0\]\.domainNames: unsupported field/,
  ],
  [
    'a named port with domainNames (the experimental CRD CEL rule)',
    'egress: [{action: Accept, to: [{domainNames: [example.com]}], protocols: [{destinationNamedPort: web}]}]',
    /networks\/nodes\/domainNames peer cannot be set with namedPorts/,
  ],
];

t.test('the CRD pattern, bounds and the Accept-only rule are applied', (t) => {
  for (const [name, spec, error] of refusals)
    t.throws(() => buildModel({ workloads: [], policies: docs(cnp('bad', 1, spec)) }), { message: error }, name);
  t.end();
});

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: fqdn}
spec:
  sources:
    xa: {namespace: x, selector: {pod: a}}
    ya: {namespace: "y", selector: {pod: a}}
  targets:
    api: {url: "https://api.example.com"}
    apex: {url: "https://example.com"}
    other: {url: "https://other.org"}
    by-ip: {url: "https://203.0.113.9"}
  expect: [{from: "*", to: "*", verdict: allow}]
`;

const summary = (p: Prediction | undefined): string =>
  p?.kind === 'verdict' ? p.computed : `${p?.kind}/${p?.kind === 'unknown' ? p.reason : ''}`;

t.test('a ReachabilityTest with name targets: decided by name, undecidable where DNS would decide', (t) => {
  const model = topologyModel(allowlist('"*.example.com"'));
  const predictions = predictTest(model, parseReachabilityTest('fqdn.yaml', TEST));
  const row = (source: string) =>
    Object.fromEntries([...predictions.get(source)!].map(([target, p]) => [target, summary(p)]));
  t.same(row('xa'), { api: 'allow', apex: 'deny', other: 'deny', 'by-ip': 'unknown/undecidable' });
  t.same(row('ya'), { api: 'allow', apex: 'allow', other: 'allow', 'by-ip': 'allow' });
  const byIp = predictions.get('xa')!.get('by-ip')!;
  t.match(byIp, { kind: 'unknown', detail: /DNS answers/ });
  t.end();
});
