// Target URL parsing: what prober accepts, how it normalises, and the one-line reasons for what it rejects.

import t from 'tap';
import { parseTarget } from '../../src/model/target.ts';

const good: [string, string, object][] = [
  [
    'tcp with port',
    'tcp://redis-svc.d-redis:6379',
    { scheme: 'tcp', host: 'redis-svc.d-redis', port: 6379, url: 'tcp://redis-svc.d-redis:6379' },
  ],
  [
    'http default port and path',
    'http://app.c-app-count.svc.cluster.local/healthz',
    { scheme: 'http', port: 80, path: '/healthz' },
  ],
  ['http explicit default port is dropped', 'http://a:80/x', { port: 80, url: 'http://a/x' }],
  ['http with query', 'http://a:8080/get?x=1', { port: 8080, path: '/get?x=1' }],
  ['https default', 'https://a', { scheme: 'https', port: 443, path: '/' }],
  ['redis default port', 'redis://redis', { scheme: 'redis', port: 6379, url: 'redis://redis' }],
  ['redis other port', 'redis://redis:7000', { port: 7000 }],
  ['dns', 'dns://kubernetes.default.svc.cluster.local', { scheme: 'dns', port: 0, dns: { over: 'system' } }],
  [
    'dns with a type, system resolver',
    'dns://a?type=aaaa',
    { url: 'dns://a?type=AAAA', dns: { over: 'system', type: 'AAAA' } },
  ],
  [
    'dns server without port or over: UDP to 53',
    'dns://kube-dns?server=10.96.0.10',
    {
      host: 'kube-dns',
      url: 'dns://kube-dns?server=10.96.0.10&over=udp',
      dns: { over: 'udp', server: { ip: '10.96.0.10', port: 53 } },
    },
  ],
  [
    'dns server with port over tcp, parameters in any order',
    'dns://a?type=A&over=tcp&server=10.0.0.2:5353',
    { url: 'dns://a?server=10.0.0.2:5353&over=tcp&type=A', dns: { server: { ip: '10.0.0.2', port: 5353 } } },
  ],
  [
    'dns server IPv6 in brackets with port',
    'dns://a?server=[fd00::a]:53&over=udp',
    { url: 'dns://a?server=[fd00::a]&over=udp', dns: { server: { ip: 'fd00::a', port: 53 } } },
  ],
  ['dns server bare IPv6', 'dns://a?server=fd00::a', { dns: { server: { ip: 'fd00::a', port: 53 } } }],
  [
    'dns over without server: the source resolv.conf',
    'dns://a?over=tcp',
    { url: 'dns://a?over=tcp', dns: { over: 'tcp', server: undefined } },
  ],
  ['ipv4', 'tcp://10.0.0.1:22', { host: '10.0.0.1' }],
  ['ipv6', 'tcp://[fd00::1]:22', { host: 'fd00::1', url: 'tcp://[fd00::1]:22' }],
  ['scheme case', 'TCP://a:1', { scheme: 'tcp' }],
  ['udp with port', 'udp://kube-dns.kube-system:53', { scheme: 'udp', port: 53, url: 'udp://kube-dns.kube-system:53' }],
  ['udp over ipv6', 'udp://[fd00::a]:53', { scheme: 'udp', host: 'fd00::a', url: 'udp://[fd00::a]:53' }],
];

for (const [name, text, want] of good) {
  t.test(`accepts: ${name}`, async (t) => {
    const parsed = parseTarget(text);
    t.ok(parsed.ok, text);
    if (parsed.ok) t.match(parsed.value, want);
  });
}

const bad: [string, string, RegExp][] = [
  ['no scheme', 'redis-svc:6379', /not a URL/],
  ['unknown scheme', 'ftp://a:21', /unsupported scheme "ftp"/],
  ['tcp without port', 'tcp://a', /need a port/],
  ['udp without port', 'udp://a', /udp:\/\/ targets need a port/],
  ['path on udp', 'udp://a:53/x', /path has no meaning for udp/],
  ['unknown scheme lists udp', 'gopher://a:1', /use tcp, udp, http, https, redis or dns/],
  ['port out of range', 'tcp://a:70000', /valid URL|out of range/],
  ['port zero', 'tcp://a:0', /out of range/],
  ['credentials', 'http://user:pw@a/', /credentials/],
  ['fragment', 'http://a/#x', /fragment/],
  ['path on tcp', 'tcp://a:1/x', /path has no meaning/],
  ['query on redis', 'redis://a?x=1', /query has no meaning/],
  ['port on dns', 'dns://a:53', /not a port/],
  ['dns unknown parameter', 'dns://a?serve=10.0.0.1', /unknown dns:\/\/ parameter "serve"/],
  ['dns parameter twice', 'dns://a?over=udp&over=tcp', /given twice/],
  ['dns server not an IP', 'dns://a?server=kube-dns', /not an IP address/],
  ['dns server bad IPv4', 'dns://a?server=10.0.0.256', /not an IP address/],
  ['dns server port zero', 'dns://a?server=10.0.0.1:0', /out of range/],
  ['dns server port too big', 'dns://a?server=10.0.0.1:65536', /out of range/],
  ['dns server port not a number', 'dns://a?server=10.0.0.1:dns', /out of range/],
  ['dns server bad IPv6 in brackets', 'dns://a?server=[fd00::g]:53', /IPv6 address in brackets/],
  ['dns over something else', 'dns://a?over=quic', /over="quic" is not udp or tcp/],
  ['dns type other than A/AAAA', 'dns://a?type=TXT', /type="TXT" is not A or AAAA/],
  ['dns path', 'dns://a/x', /path has no meaning/],
  ['bad host', 'tcp://a b:1', /valid|host/],
  ['empty host', 'redis:///', /no host|valid/],
];

for (const [name, text, message] of bad) {
  t.test(`rejects: ${name}`, async (t) => {
    const parsed = parseTarget(text);
    t.notOk(parsed.ok, text);
    if (!parsed.ok) t.match(parsed.error, message);
  });
}
