// Model building: workload grouping, peers by IP, Service targets, named ports per destination.
import t from 'tap';
import { buildModel } from '../../src/policy/index.ts';
import { docs, topologyModel } from './harness.ts';

t.test('pods with identical labels in a namespace are one workload', (t) => {
  const model = buildModel({
    workloads: [
      ...[1, 2, 3].map((i) => ({
        namespace: 'n',
        name: `web-${i}`,
        owner: 'web',
        labels: { app: 'web' },
        ips: [`10.1.0.${i}`],
      })),
      { namespace: 'n', name: 'web-canary', owner: 'web', labels: { app: 'web', track: 'canary' } },
      { namespace: 'n', name: 'other-sa', labels: { app: 'web' }, serviceAccount: 'admin' },
      { namespace: 'm', name: 'web', labels: { app: 'web' } },
    ],
  });
  t.same(
    model.workloads.map((w) => [w.id, w.members.length]),
    [
      ['m/web', 1],
      ['n/other-sa', 1],
      ['n/web', 3],
      ['n/web-canary', 1],
    ],
  );
  t.same(model.workload('n/web')?.ips, ['10.1.0.1', '10.1.0.2', '10.1.0.3']);
  t.same(
    model.selectWorkloads('n', { app: 'web' }).map((w) => w.id),
    ['n/other-sa', 'n/web', 'n/web-canary'],
  );
  t.same(model.namespaces.find((n) => n.name === 'm')?.labels, { 'kubernetes.io/metadata.name': 'm' });
  t.end();
});

t.test('outside addresses and pod IPs as peers', (t) => {
  const model = topologyModel(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ext, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n',
  );
  const rows: [string, { ip: string } | { workload: string }, { ip: string } | { workload: string }, string][] = [
    ['outside source inside the block', { ip: '192.168.2.5' }, { workload: 'x/a' }, 'allow'],
    ['outside source in the exception', { ip: '192.168.1.5' }, { workload: 'x/a' }, 'deny'],
    ['egress to the internet', { workload: 'x/a' }, { ip: '8.8.8.8' }, 'allow'],
    ['egress to a pod IP in the exception', { workload: 'x/a' }, { ip: '10.0.2.1' }, 'deny'],
    ['egress to a pod by workload', { workload: 'x/a' }, { workload: 'y/a' }, 'deny'],
  ];
  for (const [name, from, to, verdict] of rows) {
    const d = model.decide({ from, to, port: 80 });
    t.equal(d.verdict, verdict, name);
  }
  const viaIp = model.decide({ from: { workload: 'x/a' }, to: { ip: '10.0.2.1' }, port: 80 });
  t.same(viaIp.to, { kind: 'workload', id: 'y/a', namespace: 'y', name: 'a' }, 'a known pod IP is that workload');
  const ext = model.decide({ from: { ip: '192.168.2.5' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(ext.egress, undefined);
  t.match(ext.explanation[0], /outside the cluster/);
  t.throws(() => model.decide({ from: { ip: '1.1.1.1' }, to: { ip: '2.2.2.2' }, port: 80 }), /at least one side/);
  t.throws(
    () => model.decide({ from: { workload: 'x/nope' }, to: { workload: 'x/a' }, port: 80 }),
    /unknown workload "x\/nope"/,
  );
  t.end();
});

t.test('Service targets: host forms and targetPort by number or by name per protocol', (t) => {
  const model = buildModel({
    workloads: [
      {
        namespace: 'd',
        name: 'redis',
        labels: { app: 'redis' },
        ports: [
          { name: 'redis', port: 6379 },
          { name: 'redis', port: 6380, protocol: 'UDP' },
        ],
      },
      { namespace: 'd', name: 'redis-old', labels: { app: 'redis', v: 'old' }, ports: [{ name: 'db', port: 7000 }] },
      { namespace: 'd', name: 'redis-alt', labels: { app: 'redis', v: 'alt' }, ports: [{ name: 'redis', port: 7777 }] },
    ],
    services: [
      {
        namespace: 'd',
        name: 'redis-svc',
        selector: { app: 'redis' },
        clusterIP: '10.96.0.10',
        ports: [
          { port: 6379, targetPort: 'redis' },
          { port: 6379, targetPort: 'redis', protocol: 'UDP' },
        ],
      },
      { namespace: 'd', name: 'numbered', selector: { app: 'redis' }, ports: [{ port: 80, targetPort: 6379 }] },
      { namespace: 'd', name: 'manual', ports: [{ port: 80 }] },
    ],
  });
  for (const host of [
    'redis-svc.d.svc.cluster.local',
    'redis-svc.d.svc',
    'redis-svc.d',
    'redis-svc.d.svc.cluster.local.',
    '10.96.0.10',
  ]) {
    const r = model.resolveTarget(host, 6379);
    t.equal(r.kind, 'service', host);
    if (r.kind !== 'service') continue;
    t.same(
      r.endpoints.map((b) => [b.workload.id, b.port]),
      [
        ['d/redis', 6379],
        ['d/redis-alt', 7777],
      ],
      `${host}: backends with the named port resolved per workload`,
    );
    t.match(r.notes.join('\n'), /d\/redis-old has no container port named "redis"/);
  }
  const udp = model.resolveTarget('redis-svc.d', 6379, 'UDP');
  t.same(
    udp.kind === 'service' && udp.endpoints.map((b) => [b.workload.id, b.port]),
    [['d/redis', 6380]],
    'named port resolved with the protocol',
  );
  const numbered = model.resolveTarget('numbered.d', 80);
  t.same(numbered.kind === 'service' && numbered.endpoints.map((b) => b.port), [6379, 6379, 6379]);
  t.equal(model.resolveTarget('redis-svc', 6379, 'TCP', 'd').kind, 'service', 'short name with a default namespace');
  t.match(model.resolveTarget('redis-svc.d', 80), {
    kind: 'unknown',
    reason: /has no port 80\/TCP \(ports: 6379\/TCP, 6379\/UDP\)/,
  });
  t.match(model.resolveTarget('nope.d', 80), { kind: 'unknown', reason: /no Service d\/nope/ });
  t.match(model.resolveTarget('manual.d', 80), { kind: 'service', endpoints: [], notes: [/has no selector/] });
  t.match(model.resolveTarget('8.8.8.8', 53), { kind: 'external', ip: '8.8.8.8' });
  t.end();
});

t.test('egress named ports resolve on each destination', (t) => {
  const model = buildModel({
    workloads: [
      { namespace: 'n', name: 'client', labels: { app: 'client' } },
      { namespace: 'n', name: 'api-8080', labels: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
      { namespace: 'n', name: 'api-9090', labels: { app: 'api2' }, ports: [{ name: 'http', port: 9090 }] },
    ],
    policies: docs(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: http-out, namespace: n}\nspec:\n  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: http}]\n',
    ),
  });
  const m = model.matrix(8080);
  const client = model.workload('n/client')!.index;
  t.equal(m.verdict(client, model.workload('n/api-8080')!.index), 'allow');
  t.equal(m.verdict(client, model.workload('n/api-9090')!.index), 'deny');
  t.equal(model.matrix(9090).verdict(client, model.workload('n/api-9090')!.index), 'allow');
  t.end();
});

t.test('explanations list isolating policies and the allowing rules', (t) => {
  const model = topologyModel(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-y, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]\n',
  );
  const allowed = model.decide({ from: { workload: 'y/a' }, to: { workload: 'x/a' }, port: 80 });
  t.same(allowed.ingress?.isolatedBy, ['NetworkPolicy x/allow-y', 'NetworkPolicy x/deny']);
  t.same(allowed.ingress?.rules, ['NetworkPolicy x/allow-y ingress[0]']);
  t.equal(allowed.egress?.decidedBy, 'not-isolated');
  const denied = model.decide({ from: { workload: 'z/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(denied.deniedAt, 'ingress');
  t.match(
    denied.explanation[1],
    /isolated by NetworkPolicy x\/allow-y, NetworkPolicy x\/deny; no rule allows traffic from z\/a on 80\/TCP: denied/,
  );
  const self = model.decide({ from: { workload: 'x/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(self.verdict, 'loopback');
  t.equal(self.computed, 'deny');
  t.end();
});

t.test('warnings for rules the API ignores', (t) => {
  const model = topologyModel(
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]\n',
  );
  t.match(model.warnings, [/NetworkPolicy x\/p: ingress rules are ignored because policyTypes does not list Ingress/]);
  t.end();
});

t.test('ipBlock and pods whose IPs the manifests do not give', (t) => {
  const cluster = {
    workloads: [
      { namespace: 'n', name: 'client', labels: { app: 'client' } },
      { namespace: 'n', name: 'server', labels: { app: 'server' } },
    ],
  };
  const policy = (cidr: string) =>
    docs(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {matchLabels: {app: server}}\n  ingress: [{from: [{ipBlock: {cidr: ${cidr}}}]}]\n`,
    );
  const everything = buildModel({ ...cluster, policies: policy('0.0.0.0/0') });
  t.equal(
    everything.decide({ from: { workload: 'n/client' }, to: { workload: 'n/server' }, port: 80 }).verdict,
    'allow',
    '0.0.0.0/0 holds every pod IP',
  );
  t.same(everything.warnings, []);
  const some = buildModel({ ...cluster, policies: policy('10.0.0.0/8') });
  // Whether the client's pod IP is in 10.0.0.0/8 decides the cell: unknown, never a guessed deny.
  t.equal(some.decide({ from: { workload: 'n/client' }, to: { workload: 'n/server' }, port: 80 }).verdict, 'unknown');
  t.match(some.warnings, [
    /NetworkPolicy n\/p ingress\[0\]: 10\.0\.0\.0\/8 may match pods, and 2 workloads have no known pod IPs: cells that depend on it are unknown/,
  ]);
  t.end();
});
