// The open-loop sender on loopback: how a rejection looks is recorded (statuses, the headers limiters
// send, resets), failures are counted by kind and never thrown, and the schedule does not wait for
// answers.
//
// The headers are those Envoy's local rate limit answers with: 429 and `x-envoy-ratelimited`, plus
// `x-ratelimit-limit/-remaining/-reset` with `enable_x_ratelimit_headers` (envoyproxy/envoy,
// docs/root/configuration/http/http_filters/local_rate_limit_filter.rst and
// source/extensions/filters/http/common/ratelimit_headers.h); Envoy's network local rate limit
// closes the connection instead (local_rate_limit_filter.rst of network_filters): a reset here.

import { createServer as createHttpsServer } from 'node:https';
import t from 'tap';
import { parseTarget } from '../../src/model/target.ts';
import { sendAtRate } from '../../src/probe/rate-sender.ts';
import { makeCertificate } from '../cluster/fake/tls.ts';
import { httpServer, listen, resettingServer } from '../helpers/peers.ts';
import { until } from '../helpers/wait.ts';

const addressOf = (url: string) => {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

t.test('every other request rejected as Envoy rejects it: statuses and rate-limit headers recorded', async (t) => {
  let n = 0;
  const port = await listen(
    t,
    httpServer((_req, res) => {
      if (n++ % 2 === 0) return res.end('ok');
      res.writeHead(429, {
        'x-envoy-ratelimited': 'true',
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1',
        'content-type': 'text/plain',
      });
      res.end('local_rate_limited');
    }),
  );
  const m = await sendAtRate({
    address: addressOf(`http://127.0.0.1:${port}/`),
    offeredPerSecond: 100,
    durationMs: 1000,
    timeoutMs: 1000,
    maxInFlight: 16,
  });
  t.equal(m.scheduled, 100);
  // On a host starved of CPU a request or two may miss the phase's end: not sent, and counted so.
  t.ok(m.sent >= 90, `${m.sent} sent`);
  t.equal(m.accepted + (m.statuses['429'] ?? 0), m.sent, 'every request answered, accepted or rejected');
  t.equal(m.accepted, Math.ceil(m.sent / 2));
  t.same(m.rejectionHeaders.toSorted(), [
    'x-envoy-ratelimited: true',
    'x-ratelimit-limit: 10',
    'x-ratelimit-remaining: 0',
    'x-ratelimit-reset: 1',
  ]);
});

t.test('resets are a rejection of their own kind, not an error', async (t) => {
  const port = await listen(t, resettingServer());
  const m = await sendAtRate({
    address: addressOf(`http://127.0.0.1:${port}/`),
    offeredPerSecond: 50,
    durationMs: 1000,
    timeoutMs: 1000,
    maxInFlight: 8,
  });
  t.equal(m.resets, m.sent);
  t.same(m.unanswered, { timeout: 0, refused: 0, error: 0 });
  t.match(m.firstFailure, /ECONNRESET|socket hang up/);
});

t.test('the schedule does not wait for answers: a slow target still gets the offered rate', async (t) => {
  // Each answer takes 300 ms; a closed loop over 4 connections would send about 13 a second.
  const port = await listen(
    t,
    httpServer((_req, res) => {
      setTimeout(() => res.end('ok'), 300);
    }),
  );
  const m = await sendAtRate({
    address: addressOf(`http://127.0.0.1:${port}/`),
    offeredPerSecond: 50,
    durationMs: 1000,
    timeoutMs: 2000,
    maxInFlight: 64,
  });
  t.ok(m.sent >= 45, `${m.sent} sent, where a closed loop would send about 13`);
  t.equal(m.achievedPerSecond, m.sent);
  t.equal(m.accepted, m.sent, 'every answer waited for, within its deadline');
});

t.test('a request past its deadline is a timeout, and the phase ends within it', async (t) => {
  const port = await listen(
    t,
    httpServer(() => {}),
  );
  const started = Date.now();
  const m = await sendAtRate({
    address: addressOf(`http://127.0.0.1:${port}/`),
    offeredPerSecond: 40,
    durationMs: 1000,
    timeoutMs: 300,
    maxInFlight: 64,
  });
  t.equal(m.unanswered.timeout, m.sent);
  t.ok(m.sent >= 36, `${m.sent} sent`);
  t.equal(m.accepted, 0);
  t.ok(Date.now() - started < 1000 + 300 + 500, `done in ${Date.now() - started} ms`);
});

t.test('https: a self-signed target is sent to over kept-alive TLS connections', async (t) => {
  const sockets = new Set<unknown>();
  const server = createHttpsServer(makeCertificate(), (_req, res) => res.end('ok'));
  server.on('secureConnection', (socket) => sockets.add(socket));
  const port = await listen(t, server as never);
  const m = await sendAtRate({
    address: addressOf(`https://127.0.0.1:${port}/`),
    offeredPerSecond: 100,
    durationMs: 1000,
    timeoutMs: 2000,
    maxInFlight: 8,
  });
  t.ok(m.sent >= 90, `${m.sent} sent`);
  t.equal(m.accepted, m.sent);
  t.ok(sockets.size <= 8, `${sockets.size} TLS connections for 100 requests`);
});

t.test('an interrupt ends a phase at once, even between two requests a long interval apart', async (t) => {
  let answered = 0;
  const port = await listen(
    t,
    httpServer((_req, res) => {
      answered++;
      res.end('ok');
    }),
  );
  const controller = new AbortController();
  const started = Date.now();
  const sending = sendAtRate({
    address: addressOf(`http://127.0.0.1:${port}/`),
    offeredPerSecond: 0.2,
    durationMs: 120_000,
    timeoutMs: 1000,
    maxInFlight: 4,
    signal: controller.signal,
  });
  // The first request leaves at once; the next is 5 s away.
  await until('the first answer', () => answered === 1);
  controller.abort();
  const m = await sending;
  t.equal(m.sent, 1);
  t.equal(m.accepted, 1);
  t.ok(Date.now() - started < 3000, `returned ${Date.now() - started} ms after the start`);
});
