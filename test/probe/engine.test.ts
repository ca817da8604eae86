// The engine's promises: retries only where they can change the verdict, bounded concurrency, plans run whole.

import t from 'tap';
import { createServer } from 'node:net';
import { probeUrl, runPlan } from '../../src/probe/engine.ts';
import { runBounded } from '../../src/probe/pool.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { closedPort, listen } from '../helpers/peers.ts';

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
  const result = await probeUrl(`redis://127.0.0.1:${port}`, { timeoutMs: 500, attempts: 3, expect: 'allow', backoffMs: 5 });
  t.match(result, { observed: 'allow', reason: 'pong', attempts: 2 });
});

t.test('bounded concurrency: never more than the limit in flight, every item done', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  await runBounded(Array.from({ length: 20 }, (_, i) => i), 3, async (item) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    // Finish out of order so slots are reused unevenly.
    await new Promise((resolve) => setTimeout(resolve, (item % 4) * 3));
    inFlight -= 1;
    done.push(item);
  });
  t.equal(peak, 3);
  t.same([...done].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
});

t.test('a plan reports every probe, each classified', async (t) => {
  const server = createServer((socket) => socket.on('error', () => undefined));
  const port = await listen(t, server);
  const results = new Map<string, ProbeResult>();
  const probes = Array.from({ length: 9 }, (_, i) => ({ id: `p${i}`, url: i === 8 ? 'gopher://x' : `redis://127.0.0.1:${port}` }));
  await runPlan(
    { apiVersion: 'prober/v1alpha1', kind: 'ProbePlan', source: 's', defaults: { timeoutMs: 150, attempts: 1, concurrency: 3 }, probes },
    (id, result) => results.set(id, result),
  );
  t.equal(results.size, 9, 'every probe reported');
  t.match(results.get('p0'), { observed: 'deny', reason: 'timeout' }, 'silent peer: timeout');
  t.match(results.get('p8'), { observed: 'error', reason: 'bad-target' });
});
