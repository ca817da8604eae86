// Options shared by commands: output format, timeouts, concurrency — parsed once, with clear errors.

import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import {
  DEFAULT_SETTLE_MS,
  type DurationRange,
  formatDuration,
  PROBE_TIMEOUT,
  parseDuration,
  parseSettle,
  SETTLE_WINDOW,
} from '../model/duration.ts';
import type { Io } from '../model/io.ts';
import { nameProblem } from '../model/k8s-names.ts';
import type { RunFlags } from '../orchestration/run-flags.ts';
import { UsageError } from '../orchestration/usage-error.ts';
import { DEFAULT_WIDTH, OUTPUT_FORMATS, type OutputFormat, TABLE_STYLES, type TableStyle } from '../report/formats.ts';

/** Adds `-o/--output`, `--table` and `--no-color`; the command's option types grow by `output`, `table` and `color`. */
export function addOutputOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .addOption(new Option('-o, --output <format>', 'report format').choices(OUTPUT_FORMATS).default('table'))
    .addOption(
      new Option(
        '--table <style>',
        'how -o table draws the matrix: wide (names in the head), compact (one character per cell, numbered columns), auto (wide when it fits the terminal)',
      )
        .choices(TABLE_STYLES)
        .default('auto'),
    )
    .option('--no-color', 'never colour the table (colour is used only on a terminal anyway)');
}

/** Adds `--timeout`, `--attempts`, `--concurrency` and `--settle`, which override the test file's defaults. */
export function addProbeOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
  defaults: { timeout?: string; attempts?: string } = {},
) {
  const timeout = new Option(
    '--timeout <duration>',
    `per-attempt timeout, e.g. 500ms, 2s, 1m30s (${rangeText(PROBE_TIMEOUT)})`,
  ).argParser(durationFlag('--timeout', PROBE_TIMEOUT));
  const attempts = new Option('--attempts <n>', 'attempts per cell before it is judged (1-10)').argParser(
    intFlag('--attempts', 1, 10),
  );
  if (defaults.timeout) timeout.default(durationFlag('--timeout', PROBE_TIMEOUT)(defaults.timeout), defaults.timeout);
  if (defaults.attempts) attempts.default(intFlag('--attempts', 1, 10)(defaults.attempts), defaults.attempts);
  return command
    .addOption(timeout)
    .addOption(attempts)
    .addOption(
      new Option('--concurrency <n>', 'probes in flight per source (1-4096)').argParser(
        intFlag('--concurrency', 1, 4096),
      ),
    )
    .addOption(
      new Option(
        '--settle <duration>',
        `how long a tcp:// probe watches a new connection for a FIN or RST before calling it an allow (${rangeText(SETTLE_WINDOW)}, 0 off; default ${formatDuration(DEFAULT_SETTLE_MS)})`,
      ).argParser(settleFlag),
    );
}

/** Parser for `--settle`: a duration within SETTLE_WINDOW, or 0. */
function settleFlag(value: string): number {
  const parsed = parseSettle(value);
  if (!parsed.ok) throw new UsageError(`--settle: ${parsed.error}`);
  return parsed.ms;
}

/** The shared flags as `addOutputOptions` and `addProbeOptions` declare them. */
export interface SharedOptions {
  readonly output: OutputFormat;
  readonly color: boolean;
  readonly table: TableStyle;
  readonly timeout?: number | undefined;
  readonly attempts?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly settle?: number | undefined;
}

/** Reads the shared flags from commander's parsed options; colour only on a terminal, and never with NO_COLOR. */
export function runFlags(opts: SharedOptions, io: Io): RunFlags {
  if (opts.settle && opts.timeout && opts.settle >= opts.timeout)
    throw new UsageError(
      `--settle: the settle window ${formatDuration(opts.settle)} must be shorter than --timeout ${formatDuration(opts.timeout)} (or 0 to turn it off)`,
    );
  const color = opts.color && io.stdout.isTTY === true && !io.env.NO_COLOR;
  return {
    output: opts.output,
    color,
    table: opts.table,
    width: terminalWidth(io),
    ...(typeof opts.timeout === 'number' ? { timeout: opts.timeout } : {}),
    ...(typeof opts.attempts === 'number' ? { attempts: opts.attempts } : {}),
    ...(typeof opts.concurrency === 'number' ? { concurrency: opts.concurrency } : {}),
    ...(typeof opts.settle === 'number' ? { settle: opts.settle } : {}),
  };
}

/**
 * Characters per line of the reader's terminal: stdout's own width on a terminal, else COLUMNS when it
 * holds a number (a pager, `COLUMNS=200 prober … | less`), else DEFAULT_WIDTH, so a report written to a
 * file or a CI log does not depend on where it was written.
 */
function terminalWidth(io: Io): number {
  if (io.stdout.isTTY && io.stdout.columns && io.stdout.columns > 0) return io.stdout.columns;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : DEFAULT_WIDTH;
}

/** A duration range as help texts give it, e.g. `1ms-10m`: taken from the range, so help and checks agree. */
/** Parser of a repeatable option: each value appended to the ones before. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function rangeText(range: DurationRange): string {
  return `${formatDuration(range.minMs)}-${formatDuration(range.maxMs)}`;
}

/** Parser for a duration flag (`2s`, `500ms`) that must fall within `range`. */
export function durationFlag(flag: string, range: DurationRange): (value: string) => number {
  return (value) => {
    const parsed = parseDuration(value, range);
    if (!parsed.ok) throw new UsageError(`${flag}: ${parsed.error}`);
    return parsed.ms;
  };
}

/** Parser for an integer flag within bounds. */
export function intFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new UsageError(`${flag}: "${value}" is not a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Refuses `-` (stdin) named more than once among the input paths: stdin can be read only once. */
export function stdinAtMostOnce(paths: readonly (string | undefined)[]): void {
  if (paths.filter((p) => p === '-').length > 1)
    throw new UsageError('stdin can be read once: name - at most once among -f and --test');
}

/**
 * Parser for a namespace flag (`-n`): a DNS-1123 label, as the API server's ValidateNamespaceName
 * (apimachinery validation.IsDNS1123Label) wants it, so a typo is one line before anything is read.
 */
export function namespaceFlag(flag: string): (value: string) => string {
  return (value) => {
    const problem = nameProblem('dns1123-label', value);
    if (problem) throw new UsageError(`${flag}: "${value}" is not a namespace: ${problem}`);
    return value;
  };
}
