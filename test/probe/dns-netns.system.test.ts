// DNS probes through real kernel filtering: dnsmasq in one network namespace, `prober agent` in another,
// nftables drop and reject in between, IPv4 and IPv6, named servers and the system resolver.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { parseAgentOutput } from '../../src/model/plan.ts';
import { startDnsmasq, ZONE } from '../helpers/dnsmasq.ts';
import { type NetnsPair, netnsPair, sh } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';

const CLIENT6 = 'fd77::1';
const SERVER6 = 'fd77::2';

/** Gives both namespaces of the pair an IPv6 address on their veth link (no duplicate detection to wait for). */
function addIpv6(pair: NetnsPair): void {
  for (const [ns, ip] of [
    [pair.client, CLIENT6],
    [pair.server, SERVER6],
  ] as const) {
    const dev = /^\d+:\s+([^@:]+)/.exec(sh('ip', ['-n', ns, '-o', 'link', 'show', 'type', 'veth']))?.[1];
    if (!dev) throw new Error(`no veth link in ${ns}`);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/64`, 'dev', dev, 'nodad']);
  }
  // The kernel sends at most one ICMP error a second per peer by default: probes side by side would see silence.
  for (const key of ['net.ipv4.icmp_ratelimit', 'net.ipv6.icmp.ratelimit'])
    sh('ip', ['netns', 'exec', pair.server, 'sysctl', '-qw', `${key}=0`]);
}

/** Points the client namespace's system resolver at `nameserver` (`ip netns exec` bind-mounts the file). */
function resolvConf(t: Test, pair: NetnsPair, nameserver: string): void {
  const dir = `/etc/netns/${pair.client}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/resolv.conf`, `nameserver ${nameserver}\noptions timeout:2 attempts:1\n`);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * Runs `prober agent` in the client namespace with one probe per URL; results by URL. The agent exits
 * at once, even with getaddrinfo calls still running after a deadline (src/probe/lookup.ts).
 */
function agent(t: Test, pair: NetnsPair, urls: readonly string[], timeoutMs = 700): Map<string, ProbeResult> {
  const [command, ...lead] = proberCommand();
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'client',
    defaults: { timeoutMs, attempts: 1, concurrency: 8 },
    probes: urls.map((url, i) => ({ id: `p${i}`, url })),
  };
  const { stdout, status } = pair.execIn(pair.client, 'env', [
    `PROBER_PLAN=${JSON.stringify(plan)}`,
    command,
    ...lead,
    'agent',
  ]);
  t.equal(status, 0, 'the agent ran its plan');
  const { results, complete } = parseAgentOutput(stdout);
  t.ok(complete, 'the agent printed its AgentDone line');
  return new Map(urls.map((url, i) => [url, results.get(`p${i}`) ?? ({} as ProbeResult)]));
}

function named(name: string, server: string, over: string, type = ''): string {
  return `dns://${name}?server=${server}&over=${over}${type ? `&type=${type}` : ''}`;
}

const SERVERS = ['10.77.0.2', `[${SERVER6}]`];
const BOTH = ['udp', 'tcp'];

t.test('a named server across the link: answers, then silent behind drop, then rejected', async (t) => {
  const pair = netnsPair(t);
  addIpv6(pair);
  await startDnsmasq(t, [pair.serverIp, SERVER6], (args) => pair.spawnIn(pair.server, 'dnsmasq', args));

  const asked = SERVERS.flatMap((server) =>
    BOTH.flatMap((over) => [
      [named(ZONE.found, server, over), 'allow', 'resolved'],
      [named(ZONE.found, server, over, 'AAAA'), 'allow', 'resolved'],
      [named(ZONE.missing, server, over), 'allow', 'nxdomain'],
      [named(ZONE.refused, server, over), 'deny', 'dns-refused'],
    ]),
  );
  const open = agent(
    t,
    pair,
    asked.map(([url]) => url as string),
  );
  for (const [url, observed, reason] of asked) t.match(open.get(url as string), { observed, reason }, `open: ${url}`);

  const filtered = (rule: string): Map<string, ProbeResult> => {
    pair.nft(
      pair.server,
      `table inet prober_dns_test {\n chain input {\n type filter hook input priority 0; policy accept;\n ${rule}\n }\n}`,
    );
    const urls = SERVERS.flatMap((server) => BOTH.map((over) => named(ZONE.found, server, over)));
    const results = agent(t, pair, urls);
    sh('ip', ['netns', 'exec', pair.server, 'nft', 'delete', 'table', 'inet', 'prober_dns_test']);
    return results;
  };
  for (const [url, result] of filtered('udp dport 53 drop\n tcp dport 53 drop'))
    t.match(result, { observed: 'deny', reason: 'timeout', detail: /no reply|no answer/ }, `drop: ${url}`);
  for (const [url, result] of filtered('reject with icmpx type admin-prohibited')) {
    // Linux keeps retrying a TCP SYN answered by ICMPv6 "administratively prohibited" (a soft error for
    // TCP over IPv6): the connect never fails, so the probe sees silence. Still a deny, and the same one as a drop.
    const tcp6 = url.includes(SERVER6) && url.endsWith('over=tcp');
    t.match(result, { observed: 'deny', reason: tcp6 ? 'timeout' : 'unreachable' }, `icmp admin prohibited: ${url}`);
  }
  for (const [url, result] of filtered(
    'udp dport 53 reject with icmpx type port-unreachable\n tcp dport 53 reject with tcp reset',
  ))
    t.match(result, { observed: 'deny', reason: 'refused' }, `port unreachable / tcp reset: ${url}`);
});

t.test(
  "the source's own nameserver: over= without server= and the system resolver, alive, dead and dropped",
  async (t) => {
    const pair = netnsPair(t);
    resolvConf(t, pair, pair.serverIp);
    const dns = await startDnsmasq(t, [pair.serverIp], (args) => pair.spawnIn(pair.server, 'dnsmasq', args));

    const alive = agent(t, pair, [
      `dns://${ZONE.found}?over=udp`,
      `dns://${ZONE.found}?over=tcp`,
      `dns://${ZONE.found}`,
      `dns://${ZONE.missing}`,
      `dns://${ZONE.refused}`,
    ]);
    t.match(alive.get(`dns://${ZONE.found}?over=udp`), {
      observed: 'allow',
      reason: 'resolved',
      detail: /10\.77\.0\.2:53 over UDP/,
    });
    t.match(alive.get(`dns://${ZONE.found}?over=tcp`), { observed: 'allow', reason: 'resolved' });
    t.match(alive.get(`dns://${ZONE.found}`), { observed: 'allow', reason: 'resolved', detail: ZONE.foundV4 });
    t.match(alive.get(`dns://${ZONE.missing}`), { observed: 'allow', reason: 'nxdomain' });
    t.match(
      alive.get(`dns://${ZONE.refused}`),
      { observed: 'deny', reason: 'dns-refused', detail: /system resolver gave up.*REFUSED/ },
      'the system resolver says only "try again"; asking the server itself shows it refused',
    );

    dns.child.kill('SIGKILL');
    await new Promise((resolve) => dns.child.once('exit', resolve));
    const dead = agent(t, pair, [`dns://${ZONE.found}`, `dns://${ZONE.found}?over=udp`], 3000);
    t.match(
      dead.get(`dns://${ZONE.found}`),
      { observed: 'deny', reason: 'refused', detail: /system resolver gave up \(EAI_AGAIN\).*port unreachable/ },
      'a resolver that fails at once is "no resolver answered", not a timeout',
    );
    t.match(dead.get(`dns://${ZONE.found}?over=udp`), { observed: 'deny', reason: 'refused' });

    pair.nft(
      pair.server,
      'table inet prober_dns_test {\n chain input {\n type filter hook input priority 0; policy accept;\n udp dport 53 drop\n }\n}',
    );
    const dropped = agent(t, pair, [`dns://${ZONE.found}`]);
    t.match(dropped.get(`dns://${ZONE.found}`), {
      observed: 'deny',
      reason: 'timeout',
      detail: /system resolver did not answer within 700ms/,
    });
  },
);
