// An open-loop HTTP sender, run as a process of its own (in a lab pod's network namespace): request i goes out at
// start + i / rate whatever the answers so far, each on a pooled or new connection, each with a deadline.
// Usage: node open-loop.ts URL RATE COUNT; prints one JSON object: every request's send time, status, body, headers.

import { lookup } from 'node:dns/promises';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request as the sender saw it; `at` is milliseconds after the first request went out. */
export interface Sent {
  readonly at: number;
  readonly status: number | undefined;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly error?: string;
}

/** What the sender prints. */
export interface OpenLoopRun {
  readonly offeredRate: number;
  /** Requests sent per second between the first and the last one (the schedule held, or not). */
  readonly achievedRate: number;
  readonly sent: readonly Sent[];
}

const DEADLINE_MS = 5000;
const BODY_LIMIT = 1024;

function send(agent: Agent, url: URL, address: string): Promise<Omit<Sent, 'at'>> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: address,
        port: url.port || 80,
        path: url.pathname,
        headers: { host: url.host },
        timeout: DEADLINE_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < BODY_LIMIT) body += chunk.slice(0, BODY_LIMIT - body.length);
        });
        res.on('end', () => {
          const headers = Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
          );
          resolve({ status: res.statusCode, body, headers });
        });
        res.on('error', (e) => resolve({ status: res.statusCode, body, headers: {}, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)));
    req.on('error', (e) => resolve({ status: undefined, body: '', headers: {}, error: e.message }));
    req.end();
  });
}

async function main(): Promise<void> {
  const [target = '', rateText = '', countText = ''] = process.argv.slice(2);
  const url = new URL(target);
  const rate = Number(rateText);
  const count = Number(countText);
  if (!(rate > 0) || !Number.isInteger(count) || count < 1) throw new Error('usage: open-loop.ts URL RATE COUNT');
  const { address } = await lookup(url.hostname, { family: 4 });
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const start = performance.now();
  const pending: Promise<Sent>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const at = performance.now() - start;
    pending.push(send(agent, url, address).then((r) => ({ at, ...r })));
  }
  const sent = await Promise.all(pending);
  agent.destroy();
  const span = (sent.at(-1)?.at ?? 0) - (sent[0]?.at ?? 0);
  const run: OpenLoopRun = { offeredRate: rate, achievedRate: span > 0 ? ((count - 1) * 1000) / span : rate, sent };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

if (import.meta.main) await main();
