// PL006 (egress without DNS) case by case: which pod is the cluster DNS, when lint assumes one and with which
// address, and how the finding groups pods, names the policies and rates UDP against TCP. The DNS server is the
// kube-dns Service's backends (k8s-app=kube-dns in kube-system, a label CoreDNS keeps: kubernetes/kubernetes
// cluster/addons/dns/coredns/coredns.yaml.base); resolvers fall back to TCP for truncated answers (RFC 7766).
import t from 'tap';
import type { Finding } from '../../src/model/lint.ts';
import { buildModel, type ClusterInput, type WorkloadInput } from '../../src/policy/index.ts';
import { lint, withDnsServer } from '../../src/policy/lint/index.ts';
import { docs, NAMESPACES, np, topologyWorkloads } from './harness.ts';

const coredns = (extra: Partial<WorkloadInput> = {}): WorkloadInput => ({
  namespace: 'kube-system',
  name: 'coredns',
  labels: { 'k8s-app': 'kube-dns' },
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
  ...extra,
});

function pl006(policies: string, extra: WorkloadInput[] = []): Finding[] {
  const { input, assumed } = withDnsServer({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: [...topologyWorkloads(), ...extra],
    policies: docs(policies),
  });
  return lint(buildModel(input), { assumedDns: assumed }).findings.filter((f) => f.id === 'PL006');
}

const isolate = (ns: string, name: string, selector = '{}', egress = ''): string =>
  np(ns, name, `podSelector: ${selector}\npolicyTypes: [Egress]${egress ? `\negress:\n${egress}` : ''}`);

t.test('which pod is the cluster DNS', async (t) => {
  const cases: { name: string; server: WorkloadInput; assumed: boolean }[] = [
    { name: 'k8s-app=kube-dns in kube-system', server: coredns(), assumed: false },
    {
      name: 'more labels do not matter',
      server: coredns({ labels: { 'k8s-app': 'kube-dns', version: 'v1' } }),
      assumed: false,
    },
    { name: 'the label in another namespace is not it', server: coredns({ namespace: 'dns' }), assumed: true },
    {
      name: 'kube-system without the label is not it',
      server: coredns({ labels: { 'k8s-app': 'coredns' } }),
      assumed: true,
    },
  ];
  for (const c of cases) {
    const input: ClusterInput = { workloads: [c.server], policies: [] };
    const { input: out, assumed } = withDnsServer(input);
    if (c.assumed) {
      t.equal(assumed, 'kube-system/kube-dns-assumed', `${c.name}: one is assumed`);
      t.equal(out.workloads.length, 2, `${c.name}: and added`);
    } else {
      t.equal(assumed, undefined, `${c.name}: none assumed`);
      t.equal(out, input, `${c.name}: the input as given`);
    }
  }
});

t.test('the assumed DNS server: its labels, ports and address', async (t) => {
  const { input } = withDnsServer({ workloads: [{ namespace: 'x', name: 'a', labels: {}, ips: ['10.0.0.1'] }] });
  t.match(input.workloads[1], {
    namespace: 'kube-system',
    name: 'kube-dns-assumed',
    kind: 'Pod',
    labels: { 'k8s-app': 'kube-dns' },
    ips: ['192.0.2.53'],
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  });
  const some = withDnsServer({
    workloads: [
      { namespace: 'x', name: 'a', labels: {}, ips: ['10.0.0.1'] },
      { namespace: 'x', name: 'b', labels: { b: '1' } },
    ],
  }).input.workloads[2];
  t.equal(some?.ips, undefined, 'a pod of unknown IP: the assumed server has none either');
  const empty = withDnsServer({ workloads: [{ namespace: 'x', name: 'a', labels: {}, ips: [] }] }).input.workloads[1];
  t.equal(empty?.ips, undefined, 'an empty IP list is an unknown IP');
  t.equal(withDnsServer({ workloads: [] }).input.workloads[0]?.ips, undefined, 'no pod at all: no address');
});

t.test('one finding per isolating policy, naming its pods, on both protocols', async (t) => {
  const found = pl006(isolate('x', 'x-out') + isolate('y', 'y-out', '{matchLabels: {pod: a}}'));
  t.same(
    found.map((f) => [f.subject, f.severity, f.location?.file]),
    [
      ['NetworkPolicy x/x-out', 'error', 'inline#1'],
      ['NetworkPolicy y/y-out', 'error', 'inline#2'],
    ],
  );
  t.equal(
    found[1]?.message,
    'egress of y/a, isolated by NetworkPolicy y/y-out, may not reach the cluster DNS (assumed: pods labelled k8s-app=kube-dns in kube-system, none in the manifests) on 53/UDP and 53/TCP',
  );
  t.equal(
    found[1]?.hint,
    'allow egress to namespaceSelector kubernetes.io/metadata.name=kube-system, podSelector k8s-app=kube-dns on 53/UDP and 53/TCP',
  );
});

t.test('pods isolated by two policies are grouped under both', async (t) => {
  const found = pl006(isolate('x', 'p1', '{matchLabels: {pod: a}}') + isolate('x', 'p2', '{matchLabels: {pod: a}}'));
  t.same(
    found.map((f) => [f.subject, f.location?.file]),
    [['NetworkPolicy x/p1, NetworkPolicy x/p2', 'inline#1']],
    "the first policy's file locates it",
  );
});

t.test('UDP blocked is an error, TCP alone a warning, either way named', async (t) => {
  const tcpOnly = isolate('x', 'tcp', '{}', '- ports: [{port: 53, protocol: TCP}]');
  t.match(pl006(tcpOnly), [{ severity: 'error', message: /on 53\/UDP$/ }], 'lookups need UDP');
  const udpOnly = isolate('x', 'udp', '{}', '- ports: [{port: 53, protocol: UDP}]');
  t.match(pl006(udpOnly), [{ severity: 'warning', message: /on 53\/TCP$/ }]);
});

t.test('a DNS server from the manifests', async (t) => {
  const servers = [coredns(), coredns({ name: 'coredns-2', labels: { 'k8s-app': 'kube-dns', replica: '2' } })];
  const [found] = pl006(isolate('x', 'out'), servers);
  t.match(found?.message, /may not reach the cluster DNS \(kube-system\/coredns, kube-system\/coredns-2\) on/);
  const toOne = isolate(
    'x',
    'one',
    '{}',
    '- to: [{namespaceSelector: {}, podSelector: {matchLabels: {replica: "2"}}}]\n  ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
  );
  t.same(pl006(toOne, servers), [], 'one reachable server is enough');
});

t.test('the DNS servers themselves are not its clients', async (t) => {
  const servers = [coredns(), coredns({ name: 'coredns-2', labels: { 'k8s-app': 'kube-dns', replica: '2' } })];
  // CoreDNS forwards upstream, not to its peers: isolating kube-system's egress is not PL006's business.
  t.same(pl006(isolate('kube-system', 'closed'), servers), []);
});

t.test('without any DNS pod (lint called on the manifests as given) PL006 stays quiet', async (t) => {
  const model = buildModel({
    namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name } })),
    workloads: topologyWorkloads(),
    policies: docs(isolate('x', 'out')),
  });
  t.same(lint(model).findings, [], 'and no other check fires on an egress-only isolation');
});

t.test('no finding where egress is not what denies', async (t) => {
  const ingressOnDns = np('kube-system', 'closed', 'podSelector: {}');
  t.same(pl006(ingressOnDns, [coredns()]), [], "the DNS pod's own ingress is not the client's egress");
  t.same(pl006(isolate('x', 'open', '{}', '- {}')), [], 'an egress rule allowing everything');
  t.same(pl006(''), [], 'nothing isolated');
});

t.test('admin tier denials are named by their rule', async (t) => {
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: no-dns}\nspec:\n  priority: 1\n  subject: {namespaces: {matchLabels: {ns: x}}}\n  egress:\n  - {name: sys, action: Deny, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]}\n`;
  const found = pl006(anp);
  t.equal(found.length, 1);
  t.match(found[0], {
    subject: /^AdminNetworkPolicy no-dns egress\[0\]/,
    location: { file: 'inline#1' },
    message: /^egress of x\/a, x\/b, x\/c, isolated by AdminNetworkPolicy no-dns egress\[0\]/,
  });
});
