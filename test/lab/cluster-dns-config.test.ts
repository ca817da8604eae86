// What the lab's cluster DNS is made of, without starting it: the objects it adds to every lab, the
// Service address it keeps, the records dnsmasq serves (several addresses per name, IPv6 as AAAA),
// its configuration (nothing read from the host, nothing forwarded) and the pods' resolv.conf.

import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import {
  CLUSTER_DNS,
  clusterDnsModel,
  clusterDnsObjects,
  clusterDnsPod,
  clusterDnsProgram,
  dnsmasqConfig,
  dnsRecords,
  nodeResolvConf,
  podResolvConf,
  recordsFile,
} from '../../src/lab/cluster-dns.ts';
import { endpointsOf } from '../../src/lab/endpoints.ts';
import { serviceNat } from '../../src/lab/netns.ts';
import { deriveTopology, type ManifestInput } from '../../src/lab/topology.ts';
import { buildModel } from '../../src/policy/index.ts';

const at = (value: unknown, source = 'm.yaml:1'): ManifestInput => ({ value, source });
const manifests: ManifestInput[] = [
  at({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
  at({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] },
  }),
  at({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  }),
  at({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { rules: [{ host: 'shop.lan', http: { paths: [{ backend: { service: { name: 'web' } } }] } }] },
  }),
];
const topology = deriveTopology('lab', [...manifests, ...clusterDnsObjects(manifests)]);
const dns = clusterDnsPod(topology)!;

t.test(
  'every lab gets kube-system/kube-dns at 10.96.0.10; the manifests’ Services take the next addresses',
  async (t) => {
    t.match(dns, { namespace: 'kube-system', name: 'kube-dns-0', labels: { 'k8s-app': 'kube-dns' } });
    t.same(
      topology.services.map((s) => [`${s.namespace}/${s.name}`, s.clusterIp]),
      [
        ['shop/web', '10.96.0.11'],
        ['kube-system/kube-dns', '10.96.0.10'],
      ],
    );
    const ports = topology.services[1]!.ports.map((p) => [p.port, p.protocol, p.endpoints.map((e) => e.ip)]);
    t.same(ports, [
      [53, 'UDP', [dns.ip]],
      [53, 'TCP', [dns.ip]],
    ]);
    t.ok(
      topology.namespaces.some((n) => n.name === 'kube-system'),
      'the namespace is added when the manifests lack it',
    );
  },
);

t.test('manifests that bring their own kube-dns Service are refused, naming where', async (t) => {
  const own = at(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: {} },
    'dns.yaml:4',
  );
  const error = t.throws(() => clusterDnsObjects([own]));
  t.type(error, ConfigError);
  t.equal(
    String(error),
    "dns.yaml:4: metadata.name: the lab provides the cluster DNS Service kube-system/kube-dns itself; leave it out of the lab's manifests",
  );
  const ns = at({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  t.notOk(
    clusterDnsObjects([ns]).some((o) => (o.value as { kind: string }).kind === 'Namespace'),
    'a declared kube-system is kept',
  );
});

t.test('records: the Services’ full names and the Ingress hosts; several addresses and IPv6 each a line', async (t) => {
  // Dual-stack: each name has its Service's IPv4 and paired IPv6 virtual address (A and AAAA).
  t.same(
    [...dnsRecords(topology)],
    [
      ['web.shop.svc.cluster.local', ['10.96.0.11', 'fd00:10:96::b']],
      ['kube-dns.kube-system.svc.cluster.local', ['10.96.0.10', 'fd00:10:96::a']],
      ['shop.lan', ['10.96.0.11', 'fd00:10:96::b']],
    ],
  );
  const file = recordsFile(new Map([['db.shop.svc.cluster.local', ['10.244.0.5', '10.244.0.6', 'fd00:10:244::5']]]));
  t.equal(
    file,
    '10.244.0.5 db.shop.svc.cluster.local\n10.244.0.6 db.shop.svc.cluster.local\nfd00:10:244::5 db.shop.svc.cluster.local\n',
  );
});

t.test('dnsmasq reads only the lab’s files, answers on the pod addresses, forwards nothing', async (t) => {
  const config = dnsmasqConfig(dns, '/run/prober-lab/lab/pods/x/dnsmasq').split('\n');
  for (const line of [
    'no-resolv',
    'no-hosts',
    `listen-address=${dns.ip},${dns.ips[1]}`,
    'bind-interfaces',
    'local=/cluster.local/',
    'address=/#/',
    'addn-hosts=/run/prober-lab/lab/pods/x/dnsmasq/records',
    'pid-file=/run/prober-lab/lab/pods/x/dnsmasq/dnsmasq.pid',
  ])
    t.ok(config.includes(line), line);
  t.notOk(
    config.some((l) => l.startsWith('server=')),
    'no upstream',
  );
  const program = clusterDnsProgram(topology, dns, '/run/prober-lab/lab/pods/x/dnsmasq');
  t.equal(program.argv[0], 'dnsmasq', 'runs dnsmasq');
  t.match(program.argv.slice(1), [
    '--conf-file=/run/prober-lab/lab/pods/x/dnsmasq/dnsmasq.conf',
    '--keep-in-foreground',
  ]);
  t.same(program.ready, ['dns://kube-dns.kube-system.svc.cluster.local'], 'ready once it answers a real query');
  t.ok(
    program.files.every((f) => f.path.startsWith('/run/prober-lab/lab/pods/x/dnsmasq/')),
    'files in its own directory',
  );
});

t.test('resolv.conf: pods as kubelet writes it for ClusterFirst; the node straight to the DNS pod', async (t) => {
  t.equal(
    podResolvConf('shop'),
    'nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:1\n',
  );
  t.equal(nodeResolvConf(dns), `nameserver ${dns.ip}\noptions timeout:1 attempts:1\n`);
});

t.test('the policy model knows the DNS pod: egress to it is decided like any other, on 53/UDP', async (t) => {
  const extra = clusterDnsModel(topology);
  const model = buildModel({
    namespaces: [{ name: 'shop' }, ...extra.namespaces],
    workloads: [
      { namespace: 'shop', name: 'web', labels: { app: 'web' }, ips: [topology.pods[0]!.ip] },
      ...extra.workloads,
    ],
    services: extra.services,
    policies: [
      {
        manifest: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'dns-only', namespace: 'shop' },
          spec: {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } },
                    podSelector: { matchLabels: CLUSTER_DNS.labels },
                  },
                ],
                ports: [{ protocol: 'UDP', port: 53 }],
              },
            ],
          },
        },
      },
    ],
  });
  const decide = (protocol: 'UDP' | 'TCP') =>
    model.decide({ from: { ip: topology.pods[0]!.ip }, to: { ip: dns.ip }, port: 53, protocol }).verdict;
  t.equal(decide('UDP'), 'allow');
  t.equal(decide('TCP'), 'deny', 'only what the policy names');
});

t.test('a headless Service has no virtual IP: its name answers with every pod behind it', async (t) => {
  const pod = (name: string) =>
    at({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'data', labels: { app: 'kv' } },
      spec: { containers: [{ name: 'kv', image: 'redis', ports: [{ containerPort: 6379 }] }] },
    });
  const objects = [
    pod('kv-0'),
    pod('kv-1'),
    at({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kv', namespace: 'data' },
      spec: { clusterIP: 'None', selector: { app: 'kv' }, ports: [{ port: 6379 }] },
    }),
    at({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kv-vip', namespace: 'data' },
      spec: { selector: { app: 'kv' }, ports: [{ port: 6379 }] },
    }),
  ];
  const lab = deriveTopology('lab', [...objects, ...clusterDnsObjects(objects)]);
  t.same(
    lab.services.map((s) => s.clusterIp),
    ['None', '10.96.0.11', '10.96.0.10'],
    'no address taken',
  );
  const [kv0, kv1] = lab.pods;
  t.same(dnsRecords(lab).get('kv.data.svc.cluster.local'), [...kv0!.ips, ...kv1!.ips], 'both families of each pod');
  t.same(
    lab.services.map((s) => s.clusterIps),
    [[], ['10.96.0.11', 'fd00:10:96::b'], ['10.96.0.10', 'fd00:10:96::a']],
  );
  t.notMatch(serviceNat(lab), /None/, 'nothing to DNAT');
  t.same(
    endpointsOf(lab, { scheme: 'tcp', host: 'kv.data.svc.cluster.local', port: 6379, path: '', url: '' }),
    [
      { ip: kv0!.ip, port: 6379 },
      { ip: kv1!.ip, port: 6379 },
    ],
    'liveness probes each pod',
  );
});
