// The zone-affinity sender against real loopback servers: who answered each request (a header read by
// the bare socket, a JSON field through Node's client), every request on its own connection, and the
// answers a target may give instead (garbage, a close, silence, a refusal, a hostile head); an
// interrupt stops it and says so. It never throws.

import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { parseTarget, type TargetAddress } from '../../src/model/target.ts';
import { sendForAffinity } from '../../src/probe/affinity-sender.ts';
import { closedPort, closingServer, httpServer, listen, silentServer } from '../helpers/peers.ts';

const at = (port: number, path = '/'): TargetAddress => {
  const parsed = parseTarget(`http://127.0.0.1:${port}${path}`);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const send = (address: TargetAddress, fields: Partial<Parameters<typeof sendForAffinity>[0]> = {}) =>
  sendForAffinity({
    address,
    requests: 30,
    timeoutMs: 1000,
    concurrency: 4,
    identity: { header: 'x-pod-name' },
    ...fields,
  });

t.test('a header names the pod; each request comes on a new connection', async (t) => {
  let connections = 0;
  let served = 0;
  const server = httpServer((_req, res) => {
    res.setHeader('x-pod-name', `pod-${served++ % 3}`);
    res.end('{}');
  });
  server.on('connection', () => connections++);
  const m = await send(at(await listen(t, server)));
  t.equal(m.sent, 30);
  t.same([...m.identities].sort(), ['pod-0', 'pod-1', 'pod-2']);
  t.equal(m.sequence.length, 30);
  t.ok(m.sequence.every((i) => i >= 0));
  t.equal(connections, 30, 'one connection per request');
});

t.test('a JSON field names the pod; an answer without it names none', async (t) => {
  let served = 0;
  const server = httpServer((_req, res) => res.end(served++ % 2 === 0 ? '{"pod":"p-a"}' : '{"other":1}'));
  const m = await send(at(await listen(t, server)), { requests: 20, identity: { jsonField: 'pod' } });
  t.same(m.identities, ['p-a']);
  t.equal(m.sequence.filter((i) => i === -1).length, 10);
});

t.test('what a target may send instead of an answer is counted, never thrown', async (t) => {
  const garbage = createServer((socket: Socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
  const junk = await send(at(await listen(t, garbage)), { requests: 5 });
  t.match(junk, { sent: 5, sequence: [], failures: { error: 5 }, firstFailure: 'not an HTTP answer' });
  const closed = await send(at(await listen(t, closingServer())), { requests: 5 });
  t.match(closed, { failures: { error: 5 }, firstFailure: /closed before the answer/ });
  const silent = await send(at(await listen(t, silentServer())), { requests: 4, timeoutMs: 100 });
  t.match(silent, { failures: { timeout: 4 }, firstFailure: 'no answer within 100ms' });
  const refused = await send(at(await closedPort()), { requests: 5 });
  t.match(refused, { failures: { refused: 5 } });
  const endless = createServer((socket: Socket) => socket.write(`HTTP/1.1 200 OK\r\nx-pad: ${'a'.repeat(40_000)}`));
  const huge = await send(at(await listen(t, endless)), { requests: 2 });
  t.same(huge.sequence, [-1, -1], 'a head past 16 KiB names no pod');
  const long = httpServer((_req, res) => {
    res.setHeader('x-pod-name', 'p'.repeat(1000));
    res.end();
  });
  const named = await send(at(await listen(t, long)), { requests: 1 });
  t.equal(named.identities[0]?.length, 253, 'an identity is cut at 253 characters');
});

t.test('an unresolvable name: nothing sent, and why', async (t) => {
  const parsed = parseTarget('http://nowhere.invalid/');
  if (!parsed.ok) throw new Error(parsed.error);
  const m = await send(parsed.value, { timeoutMs: 2000 });
  t.match(m, { sent: 0, firstFailure: /nowhere\.invalid/ });
});

for (const [how, identity] of [
  ['a bare request (header identity)', { header: 'x-pod-name' }],
  ["Node's HTTP client (JSON identity)", { jsonField: 'pod' }],
] as const) {
  t.test(`an interrupt stops the requests in flight and says so: ${how}`, async (t) => {
    const controller = new AbortController();
    // The server never answers: only the interrupt can end the requests before their 60 s deadline.
    const server = createServer(() => controller.abort());
    const started = performance.now();
    const m = await send(at(await listen(t, server)), {
      requests: 1000,
      timeoutMs: 60_000,
      identity,
      signal: controller.signal,
    });
    t.equal(m.interrupted, true);
    t.ok(m.sent < 1000, `stopped after ${m.sent}`);
    t.ok(performance.now() - started < 30_000, 'the requests in flight ended with the interrupt, not their deadline');
  });
}
