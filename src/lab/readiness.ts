// Waiting until lab programs answer, probing from the node namespace as a kubelet would.

import { spawn } from 'node:child_process';
import { parseAgentOutput, type ProbePlan } from '../model/plan.ts';
import type { ProbeResult } from '../model/outcome.ts';

/** Runs `prober agent` inside a namespace with a plan; resolves with its results by probe id. */
export function agentIn(netns: string, prober: readonly string[], plan: ProbePlan, signal?: AbortSignal): Promise<{ results: Map<string, ProbeResult>; complete: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...prober, 'agent'], { stdio: ['pipe', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => reject(new Error(`unable to run the agent in ${netns}`, { cause: error })));
    child.once('close', () => resolve({ ...parseAgentOutput(stdout), stderr: stderr.trim() }));
    child.stdin.end(JSON.stringify(plan));
  });
}

/**
 * Polls `urls` from `netns` until every one is allowed, or throws naming those still silent when
 * `deadlineMs` passes. `failed()` lets the caller stop early (a program exited).
 */
export async function waitUntilReady(
  netns: string,
  prober: readonly string[],
  urls: readonly string[],
  options: { deadlineMs: number; signal?: AbortSignal; failed?: () => Promise<string | undefined> },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  let pending = [...new Set(urls)];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const plan: ProbePlan = {
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'node',
      defaults: { timeoutMs: 1000, attempts: 1, concurrency: 64 },
      // Readiness means "answers": an HTTP error status from a live server counts as up.
      probes: pending.map((url, i) => ({ id: String(i), url, expectStatus: ['1xx', '2xx', '3xx', '4xx', '5xx'] })),
    };
    const { results } = await agentIn(netns, prober, plan, options.signal);
    pending = pending.filter((_, i) => results.get(String(i))?.observed !== 'allow');
    if (pending.length === 0) return;
    const failure = await options.failed?.();
    if (failure) throw new Error(failure);
    if (Date.now() > deadline) throw new Error(`not ready after ${Math.round(options.deadlineMs / 1000)} s: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
