// Runs a prober command inside the test's own process: the `runCli` the binary's entry point calls,
// with what it writes to stdout and stderr captured, in a working directory and environment of the
// test's choosing. A command then costs its own work, not a Node start-up and a bundle compile
// (about 0.4 s of CPU each), which is most of what the CLI tests spent.
//
// For what a command prints and returns. Whatever belongs to the process itself — the binary, signals,
// stdin (`-f -`), a closed pipe, memory limits — is tested by starting a real process (helpers/prober.ts).

import { runCli } from '../../src/cli/program.ts';

/** What a command left: its exit code and everything it wrote. The shape of `spawnSync`'s answer. */
export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how a command runs. */
export interface CliOptions {
  /** The working directory relative paths resolve against; the test's own when absent. */
  readonly cwd?: string;
  /** The whole environment the command sees (as `spawn`'s `env`); the test's own when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

type Write = typeof process.stdout.write;

// process.stdout, the working directory and the environment are one per process: commands take turns.
let turn: Promise<unknown> = Promise.resolve();

/** Runs `prober ARGS…` in this process and resolves with its exit code and output; never rejects for a command's failure. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const result = turn.then(() => runCaptured(args, options));
  turn = result.catch(() => undefined);
  return result;
}

/** A `write` that appends to `sink` and accepts at once, so a command never waits for 'drain'. */
function capture(sink: { text: string }): Write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    sink.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as Write;
}

/** Swaps the environment for `env` and returns how to put the old one back. */
function swapEnvironment(env: NodeJS.ProcessEnv | undefined): () => void {
  if (!env) return () => undefined;
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

async function runCaptured(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const stdout = { text: '' };
  const stderr = { text: '' };
  const writes = { out: process.stdout.write, err: process.stderr.write };
  // Output is captured, as a pipe would take it: no terminal width, no colour, however the test was started.
  const terminals = { out: process.stdout.isTTY, err: process.stderr.isTTY };
  const cwd = process.cwd();
  const restoreEnvironment = swapEnvironment(options.env);
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  process.stdout.isTTY = false;
  process.stderr.isTTY = false;
  try {
    if (options.cwd) process.chdir(options.cwd);
    const status = await runCli(args);
    return { status, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.stdout.isTTY = terminals.out;
    process.stderr.isTTY = terminals.err;
    process.chdir(cwd);
    restoreEnvironment();
  }
}
