// Runs a prober command inside the test's own process: the `runCli` the binary's entry point calls,
// with an I/O context of the test's making (capturing stdout and stderr, an environment of the test's
// choosing), in a working directory of the test's choosing. A command then costs its own work, not a
// Node start-up and a bundle compile (about 0.4 s of CPU each), which is most of what the CLI tests spent.
//
// For what a command prints and returns. Whatever belongs to the process itself — the binary, signals,
// stdin (`-f -`), a closed pipe, memory limits — is tested by starting a real process (helpers/prober.ts).

import { Readable, Writable } from 'node:stream';
import { createLogger } from '../../src/cli/log.ts';
import { runCli } from '../../src/cli/program.ts';
import type { Io, OutputStream } from '../../src/model/io.ts';

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
  /** What the command reads as stdin (`-f -`); empty when absent. */
  readonly stdin?: string;
}

/** An I/O context whose stdout and stderr collect what is written; `text()` reads it back. */
export interface CapturedIo extends Io {
  text(): { stdout: string; stderr: string };
}

/**
 * A stream that keeps what is written and accepts at once, so a command never waits for 'drain'. Not a
 * terminal, as a pipe would take it: no terminal width, no colour, however the test was started.
 */
function capturing(): { stream: OutputStream; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: Number.MAX_SAFE_INTEGER,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY: false }), text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * A context for one command: output captured, the environment `env` (a copy of the test's own when
 * absent), no log lines (runCli sets the logger the command line asks for).
 */
export function capturedIo(options: CliOptions = {}): CapturedIo {
  const stdout = capturing();
  const stderr = capturing();
  return {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { ...(options.env ?? process.env) },
    cwd: options.cwd ?? process.cwd(),
    now: Date.now,
    log: createLogger(stderr.stream, 0, 'text', Date.now),
    text: () => ({ stdout: stdout.text(), stderr: stderr.text() }),
  };
}

// The working directory is one per process (the file system resolves relative paths against it):
// commands take turns.
let turn: Promise<unknown> = Promise.resolve();

/** Runs `prober ARGS…` in this process and resolves with its exit code and output; never rejects for a command's failure. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const result = turn.then(() => runCaptured(args, options));
  turn = result.catch(() => undefined);
  return result;
}

async function runCaptured(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const io = capturedIo(options);
  const cwd = process.cwd();
  try {
    if (options.cwd) process.chdir(options.cwd);
    const status = await runCli(args, io);
    return { status, ...io.text() };
  } finally {
    process.chdir(cwd);
  }
}
