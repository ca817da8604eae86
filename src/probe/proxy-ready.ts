// Waiting for the pod's sidecar proxy before the first probe: a classic sidecar captures the pod's
// traffic before it listens, so a probe sent earlier would fail as if a policy had denied it.

import { request } from 'node:http';
import type { ProxyReady } from '../model/plan.ts';
import { waitFor } from '../model/wait.ts';

/** One GET of the readiness endpoint: its status code, or the error's code (ECONNREFUSED …). */
function ask(url: string, signal: AbortSignal | undefined): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 1000, agent: false, ...(signal ? { signal } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** 100 ms, growing to 1 s: an Envoy that is up in a second is not waited for much longer. */
const POLL = { initialMs: 100, factor: 1.5, maxMs: 1000 };

/**
 * Polls the proxy's readiness endpoint until it answers 200. Resolves with undefined when it did, or
 * with why it never did within the deadline (or before `signal` aborted): the agent then probes
 * nothing, because every probe would be a false deny.
 */
export async function waitForProxy(proxy: ProxyReady, signal?: AbortSignal): Promise<string | undefined> {
  let last: number | string = 'no answer';
  const ready = await waitFor(
    async () => {
      last = await ask(proxy.url, signal);
      return last === 200;
    },
    { deadlineMs: proxy.deadlineMs, intervalMs: POLL, signal },
  );
  if (ready.ok) return undefined;
  const said = typeof last === 'number' ? `HTTP ${last}` : last;
  return ready.reason === 'aborted'
    ? `interrupted while waiting for the ${proxy.mesh} sidecar proxy (${proxy.url}: ${said})`
    : `the ${proxy.mesh} sidecar proxy was not ready within ${Math.round(proxy.deadlineMs / 1000)}s ` +
        `(${proxy.url}: ${said}); no probe was sent, since each would have failed as a false deny`;
}
