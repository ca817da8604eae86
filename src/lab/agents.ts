// Agents inside lab namespaces: one at a time, or many at once; and waiting until lab programs answer.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentOutput, type ProbePlan } from '../model/plan.ts';
import type { ProbeResult } from '../model/outcome.ts';

/** What one agent reported. */
export interface AgentOutput {
  readonly results: Map<string, ProbeResult>;
  readonly complete: boolean;
  readonly stderr: string;
}

/** Quotes a word for sh. */
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs one agent per (namespace, plan), all at once, and returns their outputs in order. They are
 * started by one small shell rather than by this process: forking a large process costs
 * milliseconds per child, and a lab run starts dozens of agents whose clocks should start together.
 */
export async function agentsIn(runs: readonly { netns: string; plan: ProbePlan }[], prober: readonly string[], signal?: AbortSignal): Promise<AgentOutput[]> {
  if (runs.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'prober-agents-'));
  try {
    const lines = await Promise.all(
      runs.map(async ({ netns, plan }, i) => {
        await writeFile(join(dir, `${i}.plan`), JSON.stringify(plan));
        const command = ['ip', 'netns', 'exec', netns, ...prober, 'agent', '--plan', join(dir, `${i}.plan`)].map(quote).join(' ');
        return `${command} >${quote(join(dir, `${i}.out`))} 2>${quote(join(dir, `${i}.err`))} &`;
      }),
    );
    const launcher = spawn('sh', ['-c', `${lines.join('\n')}\nwait\n`], { stdio: 'ignore', detached: true });
    const stop = (): void => {
      try {
        process.kill(-(launcher.pid ?? 0), 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    signal?.addEventListener('abort', stop, { once: true });
    await new Promise<void>((resolve, reject) => {
      launcher.once('error', (error) => reject(new Error('unable to start the agents', { cause: error })));
      launcher.once('exit', () => resolve());
    });
    signal?.removeEventListener('abort', stop);
    return Promise.all(
      runs.map(async (_, i) => {
        const out = await readFile(join(dir, `${i}.out`), 'utf8').catch(() => '');
        const err = await readFile(join(dir, `${i}.err`), 'utf8').catch(() => '');
        return { ...parseAgentOutput(out), stderr: err.trim() };
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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
