// Which failures are the network's answer and which the source's own: real routes, a router and nftables.

import t, { type Test } from 'tap';
import { type NetnsPair, netnsPair } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';

type Cell = { observed: string; reason: string; result: string; detail?: string };

/** `prober probe -o json URL` from inside `ns`: the exit status and the cell. */
function probeIn(pair: NetnsPair, ns: string, url: string, ...flags: string[]): { status: number; cell: Cell } {
  const [command, ...lead] = proberCommand();
  const out = pair.execIn(ns, command, [...lead, 'probe', '-o', 'json', '--timeout', '1s', ...flags, url]);
  return { status: out.status, cell: JSON.parse(out.stdout).cells[0] };
}

/** Addresses beyond the pair's /30: no packet to them ever leaves the two namespaces. */
const FAR = '10.78.0.1';

function expectNoRoute(t: Test, pair: NetnsPair, url: string, code: RegExp): void {
  const { status, cell } = probeIn(pair, pair.client, url, '--expect', 'deny', '--liveness', 'none');
  t.match(cell, { observed: 'error', reason: 'no-route', result: 'error' }, `${url}: the source's own error`);
  t.match(cell.detail, code, `${url}: the detail names the error`);
  t.match(cell.detail, /nothing was sent/, `${url}: and says that nothing left`);
  t.equal(status, 2, `${url}: exit 2 even with --liveness none: no deny was seen`);
}

t.test("the source's own routing table: no route, an unreachable, prohibit or blackhole route", async (t) => {
  const pair = netnsPair(t);
  // The client has only its /30: no default route.
  for (const url of [
    `tcp://${FAR}:80`,
    `http://${FAR}/`,
    `redis://${FAR}:6379`,
    `udp://${FAR}:53`,
    `dns://example.test?server=${FAR}`,
    `dns://example.test?server=${FAR}&over=tcp`,
  ])
    expectNoRoute(t, pair, url, /ENETUNREACH/);
  pair.execIn(pair.client, 'ip', ['route', 'add', 'unreachable', '10.79.1.0/24']);
  pair.execIn(pair.client, 'ip', ['route', 'add', 'prohibit', '10.79.2.0/24']);
  pair.execIn(pair.client, 'ip', ['route', 'add', 'blackhole', '10.79.3.0/24']);
  expectNoRoute(t, pair, 'tcp://10.79.1.1:80', /EHOSTUNREACH/);
  expectNoRoute(t, pair, 'tcp://10.79.2.1:80', /EACCES/);
  expectNoRoute(t, pair, 'tcp://10.79.3.1:80', /EINVAL/);
  expectNoRoute(t, pair, 'udp://10.79.1.1:53', /EHOSTUNREACH/);
});

t.test('a router that answers ICMP net or host unreachable: the network denied, deny/unreachable', async (t) => {
  const pair = netnsPair(t);
  // The server namespace routes for the client and knows no way on: the kernel answers ICMP itself.
  pair.execIn(pair.client, 'ip', ['route', 'add', 'default', 'via', pair.serverIp]);
  pair.execIn(pair.server, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  pair.execIn(pair.server, 'ip', ['route', 'add', 'unreachable', '10.79.1.0/24']);
  for (const [url, code] of [
    [`tcp://${FAR}:80`, /ENETUNREACH/],
    ['tcp://10.79.1.1:80', /EHOSTUNREACH/],
  ] as const) {
    const { status, cell } = probeIn(pair, pair.client, url, '--expect', 'deny', '--liveness', 'none');
    t.match(cell, { observed: 'deny', reason: 'unreachable', result: 'pass' }, `${url}: the router's answer`);
    t.match(cell.detail, code);
    t.equal(status, 0);
  }
});

t.test("a firewall on the source's own output path is the enforcement under test: a deny", async (t) => {
  const pair = netnsPair(t);
  // Where the lab enforces egress policy: dropping there gives TCP silence and UDP's send EPERM.
  pair.nft(
    pair.client,
    `table inet prober_test {
       chain output { type filter hook output priority 0; policy accept; ip daddr ${pair.serverIp} drop; }
     }`,
  );
  const tcp = probeIn(pair, pair.client, `tcp://${pair.serverIp}:80`, '--liveness', 'none', '--expect', 'deny');
  t.match(tcp.cell, { observed: 'deny', reason: 'timeout', result: 'pass' });
  const udp = probeIn(pair, pair.client, `udp://${pair.serverIp}:53`, '--liveness', 'none', '--expect', 'deny');
  t.match(udp.cell, { observed: 'deny', reason: 'blocked', result: 'pass' });
  t.match(udp.cell.detail, /EPERM/);
});

t.test('probe --expect deny on a dropped port: unproven, exit 2 (trust rule 2)', async (t) => {
  const pair = netnsPair(t);
  pair.nft(
    pair.server,
    `table inet prober_test {
       chain input { type filter hook input priority 0; policy accept; tcp dport 53 drop; }
     }`,
  );
  const { status, cell } = probeIn(pair, pair.client, `tcp://${pair.serverIp}:53`, '--expect', 'deny');
  t.match(cell, { observed: 'error', reason: 'target-down', result: 'error' });
  t.match(cell.detail, /saw timeout/);
  t.equal(status, 2);
});
