// udp:// probes on loopback against real sockets: prober serve's identity reply, a closed port, a silent peer,
// retries, an interrupt, and serve's reply never outgrowing the datagram that asked for it.

import { createSocket, type Socket } from 'node:dgram';
import t, { type Test } from 'tap';
import { DEFAULT_UDP_PAYLOAD_HEX, UDP_PROBE_BYTES } from '../../src/model/udp-payload.ts';
import { probeUrl } from '../../src/probe/engine.ts';
import { startTargetServer } from '../../src/probe/target-server.ts';
import { udpReply } from '../../src/probe/udp-server.ts';
import { waitFor } from '../helpers/wait.ts';

const identity = { name: 'target-1', hostname: 'test' };

async function serve(t: Test, host = '127.0.0.1'): Promise<number> {
  const server = await startTargetServer([0], host, identity);
  t.teardown(() => server.close());
  return server.ports[0] as number;
}

/** A UDP socket that counts datagrams and answers none of them. */
async function silentPeer(t: Test): Promise<{ port: number; received: () => number }> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => (received += 1));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => socket.close());
  return { port: socket.address().port, received: () => received };
}

/** A port that was free a moment ago: nothing listens on it for UDP. */
async function closedPort(): Promise<number> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

t.test('prober serve answers the default probe on the port it serves TCP on, with its identity', async (t) => {
  const port = await serve(t);
  const tcp = await probeUrl(`tcp://127.0.0.1:${port}`, { timeoutMs: 2000, attempts: 1 });
  t.match(tcp, { observed: 'allow', reason: 'connected' }, 'TCP on the port');
  const udp = await probeUrl(`udp://127.0.0.1:${port}`, { timeoutMs: 2000, attempts: 1 });
  t.match(udp, { observed: 'allow', reason: 'replied', attempts: 1, url: `udp://127.0.0.1:${port}` });
  t.match(udp.detail, /^replied with \d+ bytes: "\{\\"name\\":\\"target-1\\"/, 'the identity, quoted');
  t.match(udp.detail, /\\"protocol\\":\\"udp\\"/);
});

t.test('prober serve answers UDP over IPv6 too', async (t) => {
  const port = await serve(t, '::1');
  t.match(await probeUrl(`udp://[::1]:${port}`, { timeoutMs: 2000, attempts: 1 }), {
    observed: 'allow',
    reason: 'replied',
    detail: /\[\[::1\]:\d+\]$/,
  });
});

/** Sends one datagram from a raw socket and returns the reply. */
async function ask(t: Test, port: number, payload: Buffer): Promise<Buffer> {
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
  socket.send(payload, port, '127.0.0.1');
  return reply;
}

t.test("a target's own payload reaches the peer; serve answers it as a foreign datagram", async (t) => {
  const port = await serve(t);
  const result = await probeUrl(`udp://127.0.0.1:${port}`, {
    timeoutMs: 2000,
    attempts: 1,
    payloadHex: Buffer.from('x'.repeat(200)).toString('hex'),
  });
  t.match(result, { observed: 'allow', reason: 'replied' });
  const reply = JSON.parse((await ask(t, port, Buffer.from('y'.repeat(200)))).toString());
  t.match(reply, { name: 'target-1', protocol: 'udp', port, foreign: true });
  const probe = JSON.parse((await ask(t, port, Buffer.from(DEFAULT_UDP_PAYLOAD_HEX, 'hex'))).toString());
  t.notOk('foreign' in probe, 'the default probe is recognised');
});

t.test('a closed port answers with ICMP port unreachable: deny/refused', async (t) => {
  const port = await closedPort();
  t.match(await probeUrl(`udp://127.0.0.1:${port}`, { timeoutMs: 2000, attempts: 1 }), {
    observed: 'deny',
    reason: 'refused',
    detail: /^ICMP port unreachable \(ECONNREFUSED\)/,
  });
});

t.test('a silent peer is a timeout after each attempt; an expected deny is not retried', async (t) => {
  const peer = await silentPeer(t);
  const url = `udp://127.0.0.1:${peer.port}`;
  const retried = await probeUrl(url, { timeoutMs: 150, attempts: 2, backoffMs: 1 });
  t.match(retried, { observed: 'deny', reason: 'timeout', attempts: 2 });
  t.match(retried.detail, new RegExp(`^no reply to a ${UDP_PROBE_BYTES}-byte datagram within 150ms`));
  const kept = await probeUrl(url, { timeoutMs: 150, attempts: 2, expect: 'deny' });
  t.match(kept, { observed: 'deny', reason: 'timeout', attempts: 1 });
  t.equal(peer.received(), 3, 'the peer saw one datagram per attempt');
});

t.test('an interrupt ends a probe waiting for a reply at once, as an error', async (t) => {
  const peer = await silentPeer(t);
  const controller = new AbortController();
  const probe = probeUrl(`udp://127.0.0.1:${peer.port}`, {
    timeoutMs: 60_000,
    attempts: 3,
    signal: controller.signal,
  });
  await waitFor('the datagram to arrive', () => peer.received() === 1);
  controller.abort();
  t.match(await probe, { observed: 'error', reason: 'interrupted', attempts: 1, detail: /waiting for a reply/ });
});

t.test('a name that does not resolve is a dns error, not a deny', async (t) => {
  t.match(await probeUrl('udp://no-such-host.invalid:53', { timeoutMs: 2000, attempts: 1 }), {
    observed: 'error',
    reason: 'dns',
  });
});

t.test("serve's reply is never longer than the datagram that asked for it", async (t) => {
  const client = { address: '10.1.2.3', family: 'IPv4' as const, port: 40000, size: 0 };
  const full = udpReply(Buffer.from(DEFAULT_UDP_PAYLOAD_HEX, 'hex'), identity, 53, client);
  t.same(JSON.parse(full.toString()), { ...identity, port: 53, protocol: 'udp', client: '10.1.2.3' });
  for (const size of [0, 1, 16, 20, 60, 200, 1200]) {
    const reply = udpReply(Buffer.alloc(size, 0x41), identity, 53, client);
    t.ok(reply.length <= size, `a ${size}-byte request gets ${reply.length} bytes`);
  }
  t.same(
    JSON.parse(udpReply(Buffer.alloc(20), identity, 53, client).toString()),
    { name: 'target-1' },
    'the name alone',
  );
  t.equal(
    udpReply(Buffer.alloc(60_000), identity, 53, client).length < 200,
    true,
    'a huge request gets the identity only',
  );
});
