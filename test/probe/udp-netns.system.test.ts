// udp:// probes through real kernel filtering, IPv4 and IPv6: `prober serve` and socat as peers, nftables drop and reject.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { parseAgentOutput } from '../../src/model/plan.ts';
import { type NetnsPair, netnsPair, sh } from '../helpers/netns.ts';
import { proberCommand } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { until, waitFor } from '../helpers/wait.ts';

const SERVE = 9000;
const DROP = 9001;
const PORT_UNREACHABLE = 9002;
const HOST_UNREACHABLE = 9003;
const ADMIN_PROHIBITED = 9004;
const NO_LISTENER = 9005;
const SOCAT = 9006;

/** The pair with IPv6 addresses beside the IPv4 ones (no duplicate address detection, so they work at once). */
function withIpv6(pair: NetnsPair): { client: string; server: string } {
  for (const [ns, ip] of [
    [pair.client, 'fd77::1'],
    [pair.server, 'fd77::2'],
  ] as const) {
    const dev = /^\d+: (\S+?)@/.exec(sh('ip', ['-n', ns, '-o', 'link', 'show', 'type', 'veth']))?.[1];
    if (!dev) throw new Error(`no veth link in ${ns}`);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/64`, 'dev', dev, 'nodad']);
  }
  return { client: 'fd77::1', server: 'fd77::2' };
}

/** The reject rules under test, once per family: ICMP for IPv4, ICMPv6 for IPv6. */
const FIREWALL = `table inet prober_udp_test {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${DROP} drop
    meta nfproto ipv4 udp dport ${PORT_UNREACHABLE} reject with icmp type port-unreachable
    meta nfproto ipv6 udp dport ${PORT_UNREACHABLE} reject with icmpv6 type port-unreachable
    meta nfproto ipv4 udp dport ${HOST_UNREACHABLE} reject with icmp type host-unreachable
    meta nfproto ipv6 udp dport ${HOST_UNREACHABLE} reject with icmpv6 type addr-unreachable
    meta nfproto ipv4 udp dport ${ADMIN_PROHIBITED} reject with icmp type admin-prohibited
    meta nfproto ipv6 udp dport ${ADMIN_PROHIBITED} reject with icmpv6 type admin-prohibited
  }
}`;

/** Starts `prober serve` on the UDP ports (TCP beside them) and a socat UDP echo, in the server namespace. */
async function startPeers(t: Test, pair: NetnsPair, v6: string): Promise<void> {
  const [command, ...lead] = proberCommand();
  const ports = [SERVE, DROP, PORT_UNREACHABLE, HOST_UNREACHABLE, ADMIN_PROHIBITED].join(',');
  for (const host of [pair.serverIp, v6]) {
    const server = pair.spawnIn(pair.server, command, [...lead, 'serve', '--port', ports, '--host', host]);
    let listening = false;
    createInterface({ input: server.stderr! }).on('line', (line) => {
      if (line.includes('listening')) listening = true;
    });
    await waitFor(`prober serve on ${host}`, () => listening);
  }
  // Without fork: each socat echoes the first peer it hears from (one probe per family), and no child outlives the test.
  pair.spawnIn(pair.server, 'socat', ['-T', '60', `UDP4-LISTEN:${SOCAT},bind=${pair.serverIp}`, 'PIPE']);
  pair.spawnIn(pair.server, 'socat', ['-T', '60', `UDP6-LISTEN:${SOCAT},bind=[${v6}]`, 'PIPE']);
  await until('socat listening on UDP in both families', () => {
    const { stdout } = pair.execIn(pair.server, 'ss', ['-H', '-u', '-l', '-n', `sport = :${SOCAT}`]);
    return stdout.trim().split('\n').filter(Boolean).length === 2;
  });
  pair.nft(pair.server, FIREWALL);
  t.pass('peers and firewall ready');
}

function runAgent(pair: NetnsPair, probes: object[]): ReturnType<typeof parseAgentOutput> {
  const [command, ...lead] = proberCommand();
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'client',
    defaults: { timeoutMs: 700, attempts: 1, concurrency: 16 },
    probes,
  };
  const { stdout, status } = pair.execIn(pair.client, 'env', [
    `PROBER_PLAN=${JSON.stringify(plan)}`,
    command,
    ...lead,
    'agent',
  ]);
  if (status !== 0) throw new Error(`agent exited ${status}: ${stdout}`);
  return parseAgentOutput(stdout);
}

t.test('udp:// outcomes against prober serve and socat, with nftables drop and reject, in both families', async (t) => {
  const pair = netnsPair(t);
  const v6 = withIpv6(pair);
  await startPeers(t, pair, v6.server);
  for (const [family, host] of [
    ['IPv4', pair.serverIp],
    ['IPv6', `[${v6.server}]`],
  ] as const) {
    const url = (port: number) => `udp://${host}:${port}`;
    const { results, complete } = runAgent(pair, [
      { id: 'serve', url: url(SERVE) },
      { id: 'drop', url: url(DROP) },
      { id: 'port-unreachable', url: url(PORT_UNREACHABLE) },
      { id: 'host-unreachable', url: url(HOST_UNREACHABLE) },
      { id: 'admin-prohibited', url: url(ADMIN_PROHIBITED) },
      { id: 'no-listener', url: url(NO_LISTENER) },
      // socat echoes the target's own payload: "hello\n" in hex.
      { id: 'socat', url: url(SOCAT), payloadHex: '68656c6c6f0a' },
    ]);
    t.ok(complete, `${family}: the agent printed its AgentDone line`);
    for (const [id, observed, reason] of [
      ['serve', 'allow', 'replied'],
      ['drop', 'deny', 'timeout'],
      ['port-unreachable', 'deny', 'refused'],
      ['host-unreachable', 'deny', 'timeout'],
      ['admin-prohibited', 'deny', 'unreachable'],
      ['no-listener', 'deny', 'refused'],
      ['socat', 'allow', 'replied'],
    ] as const) {
      t.match(results.get(id), { observed, reason }, `${family} ${id}: ${observed} (${reason})`);
    }
    // What Linux really reports to a connected UDP socket: admin-prohibited as EHOSTUNREACH (ICMP) or
    // EACCES (ICMPv6); host/address unreachable is a soft error it keeps from the socket, so it is silence.
    t.match(
      results.get('admin-prohibited')?.detail,
      family === 'IPv4' ? /\(EHOSTUNREACH\)/ : /^ICMPv6 administratively prohibited \(EACCES\)/,
    );
    t.match(results.get('host-unreachable')?.detail, /^no reply to a 512-byte datagram within 700ms/);
    t.match(results.get('serve')?.detail, /\\"protocol\\":\\"udp\\"/, `${family}: serve answered with its identity`);
    t.match(results.get('socat')?.detail, /replied with 6 bytes: "hello\\x0a"/, `${family}: socat echoed the payload`);
  }
});

t.test('trust rule 2 for UDP: silence counts as a deny only for a target proven alive over UDP', async (t) => {
  const pair = netnsPair(t);
  const v6 = withIpv6(pair);
  await startPeers(t, pair, v6.server);
  const file = join(tempDir(t, 'udp-trust'), 'test.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: udp-trust }
spec:
  defaults: { timeout: 500ms, attempts: 1 }
  sources:
    here: { local: true }
  targets:
    served: { url: "udp://[${v6.server}]:${SERVE}" }
    dropped: { url: "udp://[${v6.server}]:${DROP}" }
    dropped-unchecked: { url: "udp://[${v6.server}]:${DROP}", liveness: none }
    refused: { url: "udp://${pair.serverIp}:${NO_LISTENER}" }
  expect:
    - { from: here, to: "*", verdict: deny }
    - { from: here, to: served, verdict: allow }
`,
  );
  const [command, ...lead] = proberCommand();
  const { stdout, status } = pair.execIn(pair.client, command, [...lead, 'check', '-f', file, '-o', 'json']);
  t.equal(status, 2, 'a cell that could not be decided makes the run undecided (exit 2)');
  const cells = (JSON.parse(stdout) as { cells: { to: string }[] }).cells;
  const cell = (to: string) => cells.find((c) => c.to === to);
  t.match(cell('served'), { result: 'pass', observed: 'allow', reason: 'replied' });
  t.match(
    cell('dropped'),
    { result: 'error', observed: 'error', reason: 'target-down', detail: /saw timeout .*nothing proved dropped alive/ },
    'silence from a target nothing proved alive is not a deny',
  );
  t.match(
    cell('dropped-unchecked'),
    { result: 'pass', observed: 'deny', reason: 'timeout' },
    'liveness: none trusts it',
  );
  // An ICMP error is not trusted blindly either: a port with no listener answers the same way.
  t.match(cell('refused'), { result: 'error', reason: 'target-down', detail: /saw refused/ });
});
