// The lab's cluster DNS as in a cluster: dnsmasq in kube-system/kube-dns behind the dual-stack Service
// (10.96.0.10, fd00:10:96::a) answers the Services' names over UDP and TCP, A and AAAA; a probe over
// IPv6 by name gets its AAAA record and goes over IPv6; with policies/egress-dns/ applied names
// resolve and case 1's calls flow; without its DNS rule the DNS cells are denies (upstream: the
// netpol e2e "should allow egress access to server in CIDR block" family's DNS caveat — default-deny
// egress breaks name resolution unless DNS is allowed).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { lab, labName, labUp, leftovers } from '../helpers/lab.ts';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const name = labName();
labUp(t, name, [join(ROOT, 'k8s')]);
const policies = join(ROOT, 'policies', 'egress-dns');
const pod = (ns: string, pod: string): string => `${name}-${ns}-${pod}`;
const client = pod('b-apacherr', 'apacherr-0');

/** The DNS pod's addresses (IPv4, IPv6), from the lab's state. */
function dnsPodIps(): string[] {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8'));
  return state.topology.pods.find((p: { namespace: string }) => p.namespace === 'kube-system').ips;
}
const dnsPodIp = (): string => dnsPodIps()[0]!;

/**
 * One real DNS query (type A, or AAAA) from inside a namespace, over UDP or TCP, to an IPv4 or IPv6
 * server, by a short Node script: `rcode answers`, or `timeout` when nothing came back within a second.
 */
function query(
  netns: string,
  host: string,
  transport: 'udp' | 'tcp',
  server = '10.96.0.10',
  type: 'A' | 'AAAA' = 'A',
): string {
  const script = `
const name = ${JSON.stringify(host)};
const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
const q = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, ${type === 'AAAA' ? 28 : 1}, 0, 1])]);
const done = (r) => { console.log((r[3] & 15) + ' ' + r.readUInt16BE(6)); process.exit(0); };
setTimeout(() => { console.log('timeout'); process.exit(0); }, 1000);
if (${JSON.stringify(transport)} === 'udp') {
  const s = require('node:dgram').createSocket(${JSON.stringify(server.includes(':') ? 'udp6' : 'udp4')});
  s.on('message', done);
  s.send(q, 53, ${JSON.stringify(server)});
} else {
  const len = Buffer.alloc(2); len.writeUInt16BE(q.length);
  const c = require('node:net').connect(53, ${JSON.stringify(server)}, () => c.write(Buffer.concat([len, q])));
  let got = Buffer.alloc(0);
  c.on('data', (d) => { got = Buffer.concat([got, d]); if (got.length >= 2 + got.readUInt16BE(0)) done(got.subarray(2)); });
  c.on('error', () => {});
}`;
  const out = spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { encoding: 'utf8' });
  return out.stdout.trim() || `failed: ${out.stderr.trim()}`;
}

t.test(
  'lab up names the cluster DNS; pods get the cluster resolv.conf and a hosts file without Services',
  async (t) => {
    const status = lab(['status', '--name', name]);
    t.match(
      status.stdout,
      /kube-system\/kube-dns-0 +10\.244\.\S+ fd00:10:244::\S+ +node node-[ab] \(zone-[ab]\) +netns \S+ +dnsmasq=dns\n/,
    );
    t.match(
      status.stdout,
      /kube-dns\.kube-system\.svc\.cluster\.local +10\.96\.0\.10 fd00:10:96::a +53\/UDP→10\.244\.\S+:53 53→/,
    );
    t.match(status.stdout, /cluster DNS: kube-system\/kube-dns at 10\.96\.0\.10 fd00:10:96::a \(53\/UDP, 53\/TCP\)/);
    t.equal(
      readFileSync(`/etc/netns/${client}/resolv.conf`, 'utf8'),
      'nameserver 10.96.0.10\nsearch b-apacherr.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:1\n',
    );
    const hosts = readFileSync(`/etc/netns/${client}/hosts`, 'utf8');
    t.match(hosts, /^10\.244\.\S+ apacherr-0$/m, "the pod's own name");
    t.match(hosts, /^fd00:10:244::\S+ apacherr-0$/m, "the pod's own name at its IPv6 address");
    t.match(readFileSync(`/etc/netns/${client}/gai.conf`, 'utf8'), /^precedence ::ffff:0:0\/96 35$/m, 'IPv4 first');
    t.notMatch(hosts, /svc\.cluster\.local|pippo\.lan/, 'no Service or Ingress names: DNS answers them');
  },
);

t.test("the node asks the DNS pod only: nothing of the host's hosts file or resolver", async (t) => {
  const node = `${name}-node`;
  t.equal(
    readFileSync(`/etc/netns/${node}/resolv.conf`, 'utf8'),
    `nameserver ${dnsPodIp()}\noptions timeout:1 attempts:1\n`,
  );
  t.equal(
    readFileSync(`/etc/netns/${node}/hosts`, 'utf8'),
    '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n',
  );
  const getent = (host: string) =>
    spawnSync('ip', ['netns', 'exec', node, 'getent', 'ahostsv4', host], { encoding: 'utf8' }).stdout;
  // The host's own name (in the host's /etc/hosts) is not visible from the node.
  const hostName = spawnSync('hostname', { encoding: 'utf8' }).stdout.trim();
  t.equal(getent(hostName), '', `${hostName} does not resolve in the node`);
  t.match(getent('kube-dns.kube-system.svc.cluster.local'), /^10\.96\.0\.10 /, "the lab's names do, full names only");
  t.equal(getent('kube-dns.kube-system'), '', 'no search list');
  const v6 = spawnSync('ip', ['netns', 'exec', node, 'getent', 'ahostsv6', 'kube-dns.kube-system.svc.cluster.local'], {
    encoding: 'utf8',
  }).stdout;
  t.match(v6, /^fd00:10:96::a /, 'the AAAA record too');
});

t.test('a Service name has an A and an AAAA record; dnsmasq answers on IPv6 as well', async (t) => {
  const svc = 'redis-svc.d-redis.svc.cluster.local';
  t.equal(query(client, svc, 'udp', '10.96.0.10', 'AAAA'), '0 1', 'AAAA through the IPv4 Service address');
  t.equal(query(client, svc, 'udp', 'fd00:10:96::a', 'AAAA'), '0 1', 'AAAA through the IPv6 Service address');
  t.equal(query(client, svc, 'tcp', 'fd00:10:96::a', 'A'), '0 1', 'A over TCP through the IPv6 Service address');
  t.equal(query(`${name}-node`, svc, 'udp', dnsPodIps()[1]!, 'AAAA'), '0 1', "the DNS pod's own IPv6 address");
  const getent = (family: 'ahostsv4' | 'ahostsv6') =>
    spawnSync('ip', ['netns', 'exec', client, 'getent', family, 'redis-svc.d-redis'], { encoding: 'utf8' }).stdout;
  const ipv4 = /^(10\.96\.\d+\.\d+) /.exec(getent('ahostsv4'))?.[1];
  const ipv6 = /^(fd00:10:96::[0-9a-f]+) /.exec(getent('ahostsv6'))?.[1];
  t.ok(ipv4 && ipv6, `both families: ${ipv4}, ${ipv6}`);
  // The pair: the IPv6 ClusterIP ends in the IPv4 one's host number.
  const [, , c, d] = (ipv4 ?? '0.0.0.0').split('.').map(Number);
  t.equal(ipv6, `fd00:10:96::${(c! * 256 + d!).toString(16)}`);
});

t.test('an ipv6 target by name resolves to its AAAA record and is probed over IPv6', async (t) => {
  const dir = tempDir(t, 'dns-family');
  const test = join(dir, 'test.yaml');
  writeFileSync(
    test,
    [
      'apiVersion: prober/v1alpha1',
      'kind: ReachabilityTest',
      'metadata: { name: dns-family }',
      'spec:',
      '  defaults: { timeout: 2s, attempts: 1 }',
      '  sources:',
      '    apache: { namespace: b-apacherr, selector: { app: apacherr } }',
      '  targets:',
      '    redis: { url: "redis://redis-svc.d-redis:6379", family: ipv6 }',
      '    name: { url: "dns://redis-svc.d-redis.svc.cluster.local", family: both }',
      '  expect:',
      '    - { from: "*", to: "*", verdict: allow }',
      '',
    ].join('\n'),
  );
  const run = lab(['test', '--name', name, '-f', test, '-o', 'json']);
  t.equal(run.status, 0, run.stderr);
  const cells = JSON.parse(run.stdout).cells as { to: string; url: string; reason: string; detail?: string }[];
  const cell = (to: string) => cells.find((c) => c.to === to);
  t.match(cell('redis (IPv6)'), { reason: 'pong', detail: /\[fd00:10:96::[0-9a-f]+\]:6379/ }, 'over IPv6, by name');
  t.match(cell('name (IPv4)'), { reason: 'resolved', url: /type=A$/, detail: /^10\.96\.\d+\.\d+$/ });
  t.match(cell('name (IPv6)'), { reason: 'resolved', url: /type=AAAA$/, detail: /^fd00:10:96::[0-9a-f]+$/ });
});

t.test('the server answers over UDP and TCP through the Service address; other names are NXDOMAIN', async (t) => {
  t.equal(query(client, 'redis-svc.d-redis.svc.cluster.local', 'udp'), '0 1', 'A record over UDP');
  t.equal(query(client, 'redis-svc.d-redis.svc.cluster.local', 'tcp'), '0 1', 'A record over TCP');
  t.equal(query(client, 'pippo.lan', 'udp'), '0 1', 'the Ingress host');
  t.equal(query(client, 'nothing.d-redis.svc.cluster.local', 'udp'), '3 0', 'NXDOMAIN in the cluster domain');
  t.equal(query(client, 'example.com', 'tcp'), '3 0', 'nothing is forwarded: NXDOMAIN outside it too');
  const getent = (host: string) =>
    spawnSync('ip', ['netns', 'exec', client, 'getent', 'ahostsv4', host], { encoding: 'utf8' }).stdout;
  t.match(
    getent('redis-svc.d-redis'),
    /^10\.96\.\d+\.\d+ +STREAM redis-svc\.d-redis\.svc\.cluster\.local/,
    'search list',
  );
  t.match(getent('apacherr-svc'), /STREAM apacherr-svc\.b-apacherr\.svc\.cluster\.local/, 'own namespace first');
  t.equal(getent('localhost.localdomain.example'), '', 'nothing else resolves');
});

t.test(
  'with egress-dns/ names resolve and only the allowed calls flow, as written and as the model says',
  async (t) => {
    const apply = lab(['apply', '--name', name, '-f', policies]);
    t.equal(apply.status, 0, apply.stderr);
    const rules = spawnSync('ip', ['netns', 'exec', client, 'nft', 'list', 'table', 'inet', 'prober_policy'], {
      encoding: 'utf8',
    }).stdout;
    t.match(rules, `ip daddr ${dnsPodIp()} udp dport 53 accept`, 'DNS over UDP to the DNS pod, compiled');
    t.match(rules, `ip daddr ${dnsPodIp()} tcp dport 53 accept`, 'DNS over TCP to the DNS pod, compiled');
    const run = lab([
      'test',
      '--name',
      name,
      '-f',
      join(ROOT, 'policies', 'egress-dns-expectations.yaml'),
      '--expect',
      'both',
      '-o',
      'json',
    ]);
    t.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    const cell = (from: string, to: string) =>
      report.cells.find((c: { from: string; to: string }) => c.from === from && c.to === to);
    for (const source of ['ingress', 'apache', 'app', 'redis'])
      t.match(
        cell(source, 'dns'),
        { observed: 'allow', reason: 'resolved', result: 'pass', model: { verdict: 'allow' } },
        `${source} resolves, as the model says`,
      );
    t.match(cell('apache', 'app'), { observed: 'allow', result: 'pass' }, 'case 1');
    t.match(cell('app', 'redis'), { observed: 'allow', reason: 'pong', result: 'pass' });
    t.match(cell('apache', 'redis'), { observed: 'deny', reason: 'timeout', result: 'pass' }, 'case 2, by egress');
    t.equal(query(client, 'redis-svc.d-redis.svc.cluster.local', 'tcp'), '0 1', 'DNS over TCP allowed too');
  },
);

t.test('without the DNS rule the DNS cells are denies, over UDP and TCP', async (t) => {
  const apply = lab([
    'apply',
    '--name',
    name,
    '-f',
    join(policies, '00-default-deny-egress.yaml'),
    join(policies, '02-allow-app-egress.yaml'),
  ]);
  t.equal(apply.status, 0, apply.stderr);
  const run = lab([
    'test',
    '--name',
    name,
    '-f',
    join(ROOT, 'policies', 'egress-dns-blocked-expectations.yaml'),
    '--expect',
    'both',
    '-o',
    'json',
  ]);
  t.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  t.equal(report.cells.length, 4);
  for (const c of report.cells)
    t.match(
      c,
      { to: 'dns', observed: 'deny', reason: 'timeout', result: 'pass', model: { verdict: 'deny' } },
      `${c.from}: resolution blocked, as the model says`,
    );
  t.equal(query(client, 'redis-svc.d-redis.svc.cluster.local', 'udp'), 'timeout', 'UDP 53 dropped');
  t.equal(query(client, 'redis-svc.d-redis.svc.cluster.local', 'tcp'), 'timeout', 'TCP 53 dropped');
  // Trust rule 2: the node, never restricted, still gets an answer from the DNS pod, so the denies count.
  t.match(report.targets[0].alive, /answered the node/);
  t.equal(query(`${name}-node`, 'redis-svc.d-redis.svc.cluster.local', 'udp', dnsPodIp()), '0 1');
});

t.test('lab down stops dnsmasq and removes everything', async (t) => {
  t.equal(lab(['down', '--name', name]).status, 0);
  t.same(leftovers(name), []);
});
