// Runs the prober CLI as a child process (from source, or the built binary) and collects what it printed.

import { spawn, type ChildProcess } from 'node:child_process';
import { proberFromSource } from '../../helpers/prober.ts';

/** What a finished prober process left. */
export interface ProberExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running prober: its process, its output so far, and its exit. */
export interface ProberProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<ProberExit>;
}

/** Starts prober with `args`; `binary` runs the single executable instead of the source entry. */
export function startProber(args: readonly string[], options: { binary?: string; env?: NodeJS.ProcessEnv } = {}): ProberProcess {
  const [node, main] = proberFromSource();
  const argv = options.binary ? [options.binary, ...args] : [node, main, ...args];
  const env = options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = new Promise<ProberExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, ...output }));
  });
  return { child, output, exited };
}

/** Runs prober to completion. */
export function runProber(args: readonly string[], options: { binary?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProberExit> {
  return startProber(args, options).exited;
}
