// The outside world of one command: its output streams, environment, working directory and clock.

/**
 * A stream a command writes to (stdout or stderr): a writable stream, and whether it is a terminal and
 * how wide, which decide colour, the progress line and the table's width.
 */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * What a command may know of the process that runs it, built once by the entry point (src/cli/main.ts)
 * from the real process and handed down: nothing below src/cli/ reads process.stdout, process.stderr
 * or process.env, so a test runs a command with a context of its own instead of swapping the process's.
 */
export interface Io {
  /** Machine output: reports, descriptions, completion scripts. */
  readonly stdout: OutputStream;
  /** Warnings, errors, progress and logs. */
  readonly stderr: OutputStream;
  /** The environment variables (KUBECONFIG, HOME, proxies, NO_COLOR, PROBER_* …). */
  readonly env: NodeJS.ProcessEnv;
  /** The directory relative paths are meant from. */
  readonly cwd: string;
  /** The wall clock, in milliseconds since the epoch (Date.now). */
  readonly now: () => number;
}
