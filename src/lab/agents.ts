// Agents inside lab namespaces: the resident agent of each pod when it answers, else started on demand.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../model/outcome.ts';
import { type ProbePlan, parseAgentOutput } from '../model/plan.ts';

/** One plan to run in one namespace; `socket` is that namespace's resident agent, if it has one. */
export interface AgentRun {
  readonly netns: string;
  readonly plan: ProbePlan;
  readonly socket?: string;
}

/** What one agent reported. */
export interface AgentOutput {
  readonly results: Map<string, ProbeResult>;
  readonly complete: boolean;
  readonly stderr: string;
}

/** Quotes a word for sh. */
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Sends a plan to a resident agent. Resolves undefined when nothing listens on the socket (the
 * caller then starts an agent), or the agent's output once it closes the connection.
 */
function viaResident(socketPath: string, plan: ProbePlan, signal?: AbortSignal): Promise<AgentOutput | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let text = '';
    let connected = false;
    const abort = (): void => {
      socket.destroy();
    };
    signal?.addEventListener('abort', abort, { once: true });
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(plan)}\n`);
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('error', () => undefined);
    socket.once('close', () => {
      signal?.removeEventListener('abort', abort);
      if (!connected) return resolve(undefined);
      const error = /"kind":"AgentError","message":"([^"]*)"/.exec(text)?.[1];
      resolve({ ...parseAgentOutput(text), stderr: error ?? '' });
    });
  });
}

/**
 * Starts one agent per run, all at once, through one small shell rather than from this process:
 * forking a large process costs milliseconds per child, and the agents' clocks should start together.
 */
async function viaLauncher(
  runs: readonly AgentRun[],
  prober: readonly string[],
  signal?: AbortSignal,
): Promise<AgentOutput[]> {
  const dir = await mkdtemp(join(tmpdir(), 'prober-agents-'));
  try {
    const lines = await Promise.all(
      runs.map(async ({ netns, plan }, i) => {
        await writeFile(join(dir, `${i}.plan`), JSON.stringify(plan));
        const command = ['ip', 'netns', 'exec', netns, ...prober, 'agent', '--plan', join(dir, `${i}.plan`)]
          .map(quote)
          .join(' ');
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
    // Interrupted while the launcher was being written: its agents are stopped as soon as they start.
    if (signal?.aborted) stop();
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

/** Runs every plan in its namespace at once and returns the outputs in order. */
export async function agentsIn(
  runs: readonly AgentRun[],
  prober: readonly string[],
  signal?: AbortSignal,
): Promise<AgentOutput[]> {
  // Interrupted before any agent was asked: nothing to start, nothing observed.
  if (signal?.aborted) return runs.map(() => ({ results: new Map(), complete: false, stderr: '' }));
  const resident = await Promise.all(
    runs.map((run) => (run.socket ? viaResident(run.socket, run.plan, signal) : Promise.resolve(undefined))),
  );
  const missing = runs.map((run, i) => ({ run, i })).filter(({ i }) => resident[i] === undefined);
  const started =
    missing.length > 0
      ? await viaLauncher(
          missing.map((m) => m.run),
          prober,
          signal,
        )
      : [];
  missing.forEach(({ i }, k) => {
    resident[i] = started[k];
  });
  return resident as AgentOutput[];
}

/** Runs one plan in one namespace. */
export async function agentIn(run: AgentRun, prober: readonly string[], signal?: AbortSignal): Promise<AgentOutput> {
  const [output] = await agentsIn([run], prober, signal);
  return output!;
}
