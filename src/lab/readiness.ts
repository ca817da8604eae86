// Waiting until lab programs answer, probing from the node namespace as a kubelet would.

import type { ProbePlan } from '../model/plan.ts';
import type { StatusSet } from '../model/test-spec.ts';
import { waitFor } from '../model/wait.ts';
import { agentIn } from './agents.ts';

/** Any status proves a live server; only silence or refusal does not. */
export const ANY_STATUS: StatusSet = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * Polls `urls` from the node until every one answers, or throws naming those still silent when
 * `deadlineMs` passes. `failed()` lets the caller stop early (a program exited).
 */
export async function waitUntilReady(
  node: { netns: string; socket?: string },
  prober: readonly string[],
  urls: readonly string[],
  options: { deadlineMs: number; signal?: AbortSignal; failed?: () => Promise<string | undefined> },
): Promise<void> {
  let pending = [...new Set(urls)];
  if (pending.length === 0) return;
  const ready = await waitFor(
    async () => {
      const plan: ProbePlan = {
        apiVersion: 'prober/v1alpha1',
        kind: 'ProbePlan',
        source: 'node',
        defaults: { timeoutMs: 1000, attempts: 1, concurrency: 64 },
        // Readiness means "answers": an HTTP error status from a live server counts as up.
        probes: pending.map((url, i) => ({ id: String(i), url, expectStatus: ANY_STATUS })),
      };
      const { results } = await agentIn({ ...node, plan }, prober, options.signal);
      pending = pending.filter((_, i) => results.get(String(i))?.observed !== 'allow');
      if (pending.length === 0) return true;
      const failure = await options.failed?.();
      if (failure) throw new Error(failure);
      return false;
    },
    { deadlineMs: options.deadlineMs, intervalMs: 200, signal: options.signal },
  );
  if (ready.ok) return;
  options.signal?.throwIfAborted();
  throw new Error(`not ready after ${Math.round(options.deadlineMs / 1000)} s: ${pending.join(', ')}`);
}
