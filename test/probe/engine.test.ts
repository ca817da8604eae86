// The engine's promises: retries only where they can change the verdict, bounded concurrency, plans run whole.

import { createServer } from 'node:net';
import t from 'tap';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { runBounded } from '../../src/model/pool.ts';
import { probeUrl, runPlan } from '../../src/probe/engine.ts';
import { closedPort, listen } from '../helpers/peers.ts';
import { waitFor } from '../helpers/wait.ts';

t.test('retries: an allow is final, an expected deny is kept, an unexpected deny or an error is retried', async (t) => {
  const closed = await closedPort();
  const rows: [string, string, 'allow' | 'deny' | undefined, number][] = [
    ['unexpected deny is retried', `tcp://127.0.0.1:${closed}`, 'allow', 3],
    ['deny with no expectation is retried', `tcp://127.0.0.1:${closed}`, undefined, 3],
    ['expected deny is not retried', `tcp://127.0.0.1:${closed}`, 'deny', 1],
    ['an error is retried', 'tcp://no-such-host.invalid:1', 'deny', 3],
  ];
  for (const [name, url, expect, attempts] of rows) {
    const result = await probeUrl(url, { timeoutMs: 500, attempts: 3, expect, backoffMs: 5 });
    t.equal(result.attempts, attempts, name);
  }
});

t.test('a retry turns a transient reset into the allow it really is', async (t) => {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    if (connections === 1) socket.resetAndDestroy();
    else socket.once('data', () => socket.end('+PONG\r\n'));
  });
  const port = await listen(t, server);
  const result = await probeUrl(`redis://127.0.0.1:${port}`, {
    timeoutMs: 500,
    attempts: 3,
    expect: 'allow',
    backoffMs: 5,
  });
  t.match(result, { observed: 'allow', reason: 'pong', attempts: 2 });
});

t.test('bounded concurrency: never more than the limit in flight, every item done', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  await runBounded(
    Array.from({ length: 20 }, (_, i) => i),
    3,
    async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      // Finish out of order so slots are reused unevenly.
      await new Promise((resolve) => setTimeout(resolve, (item % 4) * 3));
      inFlight -= 1;
      done.push(item);
    },
  );
  t.equal(peak, 3);
  t.same(
    [...done].sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i),
  );
});

t.test('a plan reports every probe, each classified', async (t) => {
  const server = createServer((socket) => socket.on('error', () => undefined));
  const port = await listen(t, server);
  const results = new Map<string, ProbeResult>();
  const probes = Array.from({ length: 9 }, (_, i) => ({
    id: `p${i}`,
    url: i === 8 ? 'gopher://x' : `redis://127.0.0.1:${port}`,
  }));
  await runPlan(
    {
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 's',
      defaults: { timeoutMs: 150, attempts: 1, concurrency: 3 },
      probes,
    },
    (id, result) => results.set(id, result),
  );
  t.equal(results.size, 9, 'every probe reported');
  t.match(results.get('p0'), { observed: 'deny', reason: 'timeout' }, 'silent peer: timeout');
  t.match(results.get('p8'), { observed: 'error', reason: 'bad-target' });
});

t.test('an abort ends the probes in flight and the queued ones as interrupted, and keeps those done', async (t) => {
  let open = 0;
  const silent = await listen(
    t,
    createServer((socket) => {
      open += 1;
      socket.on('error', () => undefined);
    }),
  );
  const controller = new AbortController();
  const results = new Map<string, ProbeResult>();
  const probes = [
    { id: 'done', url: 'gopher://x' },
    ...Array.from({ length: 6 }, (_, i) => ({ id: `silent-${i}`, url: `redis://127.0.0.1:${silent}` })),
  ];
  const plan = runPlan(
    {
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 's',
      defaults: { timeoutMs: 60_000, attempts: 1, concurrency: 3 },
      probes,
    },
    (id, result) => results.set(id, result),
    controller.signal,
  );
  await waitFor('three silent probes in flight', () => open === 3 && results.has('done'));
  controller.abort();
  await plan;
  t.equal(results.size, 7, 'every probe reported');
  t.match(results.get('done'), { observed: 'error', reason: 'bad-target' }, 'a result in before the abort stands');
  const silentResults = probes.slice(1).map((p) => results.get(p.id)!);
  t.same(
    silentResults.map((r) => r.detail),
    [...Array(3).fill('interrupted while waiting for a reply'), ...Array(3).fill('interrupted before it was probed')],
  );
  t.ok(silentResults.every((r) => r.observed === 'error' && r.reason === 'interrupted'));
});

t.test('an abort during the backoff between attempts ends the probe at once, as interrupted', async (t) => {
  const controller = new AbortController();
  // The first attempt times out and closes its connection; by the time this peer sees the close, the
  // probe waits out a minute's backoff before its retry, and only the abort can end it soon.
  const silent = await listen(
    t,
    createServer((socket) => {
      socket.on('error', () => undefined).resume();
      socket.once('close', () => controller.abort());
    }),
  );
  const result = await probeUrl(`redis://127.0.0.1:${silent}`, {
    timeoutMs: 50,
    attempts: 3,
    expect: 'allow',
    backoffMs: 60_000,
    signal: controller.signal,
  });
  t.match(result, {
    observed: 'error',
    reason: 'interrupted',
    attempts: 1,
    detail: 'interrupted before attempt 2 of 3 (attempt 1: deny/timeout)',
  });
});
