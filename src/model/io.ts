// The outside world of one command: its output streams, environment, working directory and clock.

/** The stream a command reads (`-f -`, `--plan -`); whether it is a terminal decides if an exec plugin may prompt. */
export interface InputStream extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  /** Its file descriptor (process.stdin's is 0): what an interactive exec plugin inherits. */
  readonly fd?: number;
}

/**
 * A stream a command writes to (stdout or stderr): a writable stream, and whether it is a terminal and
 * how wide, which decide colour, the progress line and the table's width.
 */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** How much `-v` asks for: 1 the steps of a run (-v), 2 their details (-vv), 3 everything (-vvv). */
export type LogLevel = 1 | 2 | 3;

/** Values a log line carries beside its message (`key=value` in text, members in JSON). */
export type LogFields = Readonly<Record<string, string | number | boolean>>;

/** The one logger of a command: lines on stderr, as many as `-v` asks for, in `--log-format`. */
export interface Logger {
  /** The most detailed level written (0: none); lets a caller skip work for lines nobody reads. */
  readonly level: number;
  /** Writes a line when `level` is at most the logger's level; never throws. */
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/**
 * What a command may know of the process that runs it, built once by the entry point (src/cli/process-run.ts)
 * from the real process and handed down: nothing below src/cli/ reads process.stdin, process.stdout,
 * process.stderr, process.env or process.cwd(), so a test runs a command with a context of its own instead of swapping the process's.
 */
export interface Io {
  /** Standard input: what `-` names, and the terminal an interactive exec credential plugin reads. */
  readonly stdin: InputStream;
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
  /** Log lines on stderr (`-v`, `--log-format`). */
  readonly log: Logger;
}

/** What reading a command's inputs needs: stdin for `-`, and the directory relative paths start from. */
export type InputIo = Pick<Io, 'stdin' | 'cwd'>;

/** The process's side of a context, before the command line has chosen the logger (what main.ts builds). */
export type ProcessIo = Omit<Io, 'log'>;
