// `prober lint`'s checks on the x/y/z × a/b/c topology: each check fires on the mistake it names and stays quiet
// on the corrected policy.
import t from 'tap';
import type { CheckId, Finding } from '../../src/model/lint.ts';
import { buildModel, type ServiceInput, type WorkloadInput } from '../../src/policy/index.ts';
import { lint, withDnsServer } from '../../src/policy/lint/index.ts';
import { docs, indent, NAMESPACES, np, topologyWorkloads } from './harness.ts';

const anp = (name: string, spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;
const banp = (spec: string): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n${indent(spec)}\n---\n`;

/** Egress to the cluster DNS on both protocols, so PL006 stays out of tests about something else. */
const DNS_OK =
  'egress:\n- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n  ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]';

function run(
  policies: string,
  extra: { workloads?: WorkloadInput[]; services?: ServiceInput[] } = {},
): readonly Finding[] {
  const { input, assumed } = withDnsServer({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: [...topologyWorkloads(), ...(extra.workloads ?? [])],
    services: extra.services ?? [],
    policies: docs(policies),
  });
  return lint(buildModel(input), { assumedDns: assumed }).findings;
}

const ids = (findings: readonly Finding[]): CheckId[] => [...new Set(findings.map((f) => f.id))].sort();
const only = (findings: readonly Finding[], id: CheckId): Finding[] => findings.filter((f) => f.id === id);

t.test('no policy: no finding', async (t) => {
  t.same(run(''), []);
});

t.test('PL001 a policy that selects no pod', async (t) => {
  const found = only(run(np('x', 'typo', 'podSelector: {matchLabels: {pod: aa}}')), 'PL001');
  t.equal(found.length, 1);
  t.match(found[0], { severity: 'warning', subject: 'NetworkPolicy x/typo', location: { file: 'inline#1', line: 1 } });
  t.match(found[0]!.message, /selects no pod/);
  t.same(only(run(np('x', 'fine', 'podSelector: {matchLabels: {pod: a}}')), 'PL001'), []);
  t.match(
    only(run(np('w', 'elsewhere', 'podSelector: {}')), 'PL001'),
    [{ hint: /the manifests hold no workload in namespace w: give its Deployments or Pods/ }],
    'a namespace without workloads in the input: the hint says the manifests are partial',
  );
  const authz = `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: none, namespace: y}\nspec: {selector: {matchLabels: {app: nothing}}, action: DENY, rules: [{}]}\n`;
  t.same(ids(run(authz)), ['PL001'], 'an AuthorizationPolicy too');
});

t.test('PL002 a peer that matches no namespace or no pod', async (t) => {
  const noNs = run(np('x', 'p', 'podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: w}}}]'));
  t.match(only(noNs, 'PL002'), [{ subject: 'NetworkPolicy x/p ingress[0] peer[0]', message: /matches no namespace/ }]);
  const noPod = run(np('x', 'p', 'podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {pod: d}}}]'));
  t.match(only(noPod, 'PL002'), [{ message: /matches no pod/ }]);
  t.same(
    only(run(np('x', 'p', 'podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {pod: b}}}]')), 'PL002'),
    [],
  );
});

t.test('PL003 a rule shadowed by a higher-priority rule, a Pass or NetworkPolicy isolation', async (t) => {
  const subject = 'subject: {namespaces: {matchLabels: {ns: x}}}';
  const denyAll = anp(
    'deny-all',
    `priority: 10\n${subject}\ningress:\n- {name: all, action: Deny, from: [{namespaces: {}}]}`,
  );
  const allowY = (priority: number) =>
    anp(
      'allow-y',
      `priority: ${priority}\n${subject}\ningress:\n- {name: y, action: Allow, from: [{namespaces: {matchLabels: {ns: y}}}]}`,
    );
  const shadowed = only(run(denyAll + allowY(20)), 'PL003');
  t.equal(shadowed.length, 1);
  t.match(
    shadowed[0]!.message,
    /^AdminNetworkPolicy allow-y ingress\[0\] "y" \(Allow\) never decides: AdminNetworkPolicy deny-all ingress\[0\] "all" \(Deny, priority 10\)/,
  );
  t.same(only(run(denyAll + allowY(5)), 'PL003'), [], 'the narrower rule first: both decide');

  const pass = anp(
    'pass-all',
    `priority: 5\n${subject}\ningress:\n- {name: p, action: Pass, from: [{namespaces: {}}]}`,
  );
  t.match(only(run(pass + allowY(20)), 'PL003'), [{ message: /\(Pass, priority 5\)/ }], 'a Pass takes it first');

  const baseline = banp(
    `${subject}\ningress:\n- {name: y, action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}`,
  );
  t.match(only(run(baseline + np('x', 'iso', 'podSelector: {}')), 'PL003'), [
    { message: /NetworkPolicy isolates every pod/ },
  ]);
  t.same(only(run(baseline), 'PL003'), [], 'without NetworkPolicy the baseline rule decides');

  const ports = anp(
    'ports',
    `priority: 10\n${subject}\ningress:\n- {name: p80, action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}}]}`,
  );
  t.same(only(run(ports + allowY(20)), 'PL003'), [], 'an earlier rule on fewer ports does not shadow');
  const net = (name: string, priority: number, action: string, cidr: string) =>
    anp(
      name,
      `priority: ${priority}\n${subject}\negress:\n- {name: n, action: ${action}, to: [{networks: [${cidr}]}]}`,
    );
  t.match(
    only(run(net('wide', 10, 'Deny', '192.168.0.0/16') + net('narrow', 20, 'Allow', '192.168.1.0/24')), 'PL003'),
    [{ subject: 'AdminNetworkPolicy narrow egress[0] "n"' }],
    'a CIDR inside an earlier one',
  );
  t.same(
    only(run(net('narrow', 10, 'Allow', '192.168.1.0/24') + net('wide', 20, 'Deny', '192.168.0.0/16')), 'PL003'),
    [],
    'a wider CIDR after a narrower one still decides the rest',
  );
});

t.test('PL004 a named port that no selected pod exposes', async (t) => {
  const bad = only(run(np('x', 'web', 'podSelector: {}\ningress:\n- ports: [{port: http}]')), 'PL004');
  t.match(bad, [{ severity: 'error', message: /"http" \(TCP\)/ }]);
  t.same(only(run(np('x', 'web', 'podSelector: {}\ningress:\n- ports: [{port: serve-80-tcp}]')), 'PL004'), []);
  const wrongProtocol = np('x', 'web', 'podSelector: {}\ningress:\n- ports: [{port: serve-80-tcp, protocol: UDP}]');
  t.equal(only(run(wrongProtocol), 'PL004').length, 1, 'the name with another protocol');
  const egress = np(
    'x',
    'out',
    `podSelector: {}\npolicyTypes: [Egress]\n${DNS_OK}\n- to: [{podSelector: {matchLabels: {pod: b}}}]\n  ports: [{port: metrics}]`,
  );
  t.match(only(run(egress), 'PL004'), [{ subject: 'NetworkPolicy x/out egress[1]' }], 'egress: the peers’ ports');
});

t.test('PL005 an ipBlock that also holds pod IPs', async (t) => {
  const over = only(
    run(np('x', 'ext', 'podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/16}}]')),
    'PL005',
  );
  t.equal(over.length, 1);
  t.match(over[0]!.message, /10\.0\.0\.0\/16 also holds the pod IPs of x\/a, x\/b, x\/c and 6 more/);
  t.same(
    only(run(np('x', 'ext', 'podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 192.168.0.0/16}}]')), 'PL005'),
    [],
  );
  const except = 'podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/16]}}]';
  t.same(only(run(np('x', 'ext', except)), 'PL005'), [], 'pods excepted');
  t.same(
    only(run(np('x', 'any', 'podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 0.0.0.0/0}}]')), 'PL005'),
    [],
    'everything, on purpose',
  );
});

t.test('PL006 default-deny egress without DNS', async (t) => {
  const found = only(run(np('x', 'no-egress', 'podSelector: {}\npolicyTypes: [Egress]')), 'PL006');
  t.equal(found.length, 1, 'one finding per isolating policy');
  t.match(found[0], { severity: 'error', subject: 'NetworkPolicy x/no-egress', location: { file: 'inline#1' } });
  t.match(found[0]!.message, /x\/a, x\/b, x\/c.*assumed.*53\/UDP and 53\/TCP/);
  t.same(only(run(np('x', 'dns', `podSelector: {}\npolicyTypes: [Egress]\n${DNS_OK}`)), 'PL006'), []);
  const udpOnly = np(
    'x',
    'udp',
    'podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports: [{port: 53, protocol: UDP}]',
  );
  t.match(
    only(run(udpOnly), 'PL006'),
    [{ severity: 'warning', message: /on 53\/TCP$/ }],
    'TCP fallback blocked: a warning',
  );
  const coredns: WorkloadInput = { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };
  const found2 = only(
    run(np('x', 'no-egress', 'podSelector: {}\npolicyTypes: [Egress]'), { workloads: [coredns] }),
    'PL006',
  );
  t.match(found2[0]!.message, /kube-system\/coredns/, 'a DNS server from the manifests is named');
  const anywhere = np(
    'x',
    'any',
    'podSelector: {}\npolicyTypes: [Egress]\negress:\n- to: [{ipBlock: {cidr: 0.0.0.0/0}}]',
  );
  t.same(only(run(anywhere), 'PL006'), [], 'an ipBlock of every address holds the assumed server too');
  const { input } = withDnsServer({ workloads: topologyWorkloads(), policies: docs(anywhere) });
  t.same(buildModel(input).warnings, [], 'pods with IPs: the assumed server has one, so no rule is undecidable');
});

t.test('PL007 a workload isolated both ways that nothing can reach', async (t) => {
  const closed = np('x', 'closed', `podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Ingress, Egress]\n${DNS_OK}`);
  t.match(only(run(closed), 'PL007'), [{ subject: 'x/a', message: /isolated for ingress and egress/ }]);
  const fromB = np(
    'x',
    'from-b',
    'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: b}}}]',
  );
  t.same(only(run(closed + fromB), 'PL007'), [], 'one pod may reach it');
  const fromOutside = np(
    'x',
    'ext',
    'podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{ipBlock: {cidr: 192.168.0.0/16}}]',
  );
  t.same(only(run(closed + fromOutside), 'PL007'), [], 'outside addresses may reach it');
  const ingressOnly = np('x', 'in', 'podSelector: {matchLabels: {pod: a}}');
  t.same(only(run(ingressOnly), 'PL007'), [], 'isolated for ingress only');
});

t.test('PL008 a Service whose targetPort no policy lets anyone reach', async (t) => {
  const services: ServiceInput[] = [
    {
      namespace: 'x',
      name: 'web',
      selector: { pod: 'a' },
      ports: [{ port: 8080, targetPort: 'serve-80-tcp' }],
      source: 'svc.yaml:3',
    },
  ];
  const closed = np('x', 'closed', 'podSelector: {matchLabels: {pod: a}}\ningress:\n- ports: [{port: 81}]');
  t.match(only(run(closed, { services }), 'PL008'), [
    { subject: 'Service x/web 8080/TCP', location: { file: 'svc.yaml', line: 3 }, message: /targetPort serve-80-tcp/ },
  ]);
  const open = np('x', 'open', 'podSelector: {matchLabels: {pod: a}}\ningress:\n- ports: [{port: 80}]');
  t.same(only(run(closed + open, { services }), 'PL008'), []);
});
