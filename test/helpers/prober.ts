// How tests start prober: from source on the test's own Node 24, or as the built single binary.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Teardown } from './netns.ts';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The built binary (npm test builds it before running tests). */
export const BINARY = join(ROOT, 'dist', 'prober');

/**
 * The command that runs prober in tests, as argv: by default the sources on the test's own Node 24
 * ([node, main.ts]), so `npm test` measures the coverage of `src/` in these processes too.
 * `npm run test:unit` measures no coverage and sets PROBER_TEST_ENTRY=binary: the built binary runs the
 * same code from one bundle with its compile cache, and ignores the module hooks tap puts in every child
 * Node's NODE_OPTIONS, so it starts in about a third of the CPU time (the unit tests start prober a few
 * hundred times).
 */
export function proberCommand(): [string, ...string[]] {
  if (process.env.PROBER_TEST_ENTRY === 'binary') return [requireBinary()];
  return [process.execPath, join(ROOT, 'src', 'cli', 'main.ts')];
}

/** Fails early with a clear message when the binary was not built. */
export function requireBinary(): string {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first (npm test does)`);
  return BINARY;
}

/** What a finished prober process left. */
export interface ProberExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running prober: its process, what it printed so far, and its exit. */
export interface RunningProber {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<ProberExit>;
  /** Whether the process has exited yet (for waits with a deadline). */
  done(): boolean;
}

/**
 * Starts `argv` — prober from source, the binary, or a command that runs one of them — and collects
 * what it prints. Its stdin is `input`, else empty.
 */
export function startProcess(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): RunningProber {
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(options.input ?? '');
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  let finished = false;
  const exited = new Promise<ProberExit>((resolve) => {
    child.once('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, ...output });
    });
  });
  return { child, output, exited, done: () => finished };
}

/** Starts the built binary with `args` (stdin fed from `input`, else closed); killed at teardown if still running. */
export function startBinary(t: Teardown, args: readonly string[], options: { input?: string } = {}): RunningProber {
  const run = startProcess([requireBinary(), ...args], { cwd: '/', ...options });
  t.teardown(() => {
    if (!run.done()) run.child.kill('SIGKILL');
  });
  return run;
}
