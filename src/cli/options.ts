// Options shared by commands: output format, timeouts, concurrency — parsed once, with clear errors.

import { Option, type Command } from 'commander';
import { formatDuration, parseDuration, PROBE_TIMEOUT, type DurationRange } from '../model/duration.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/formats.ts';
import { UsageError } from './usage-error.ts';

/** Run flags common to every command that probes. */
export interface RunFlags {
  readonly output: OutputFormat;
  readonly timeout?: number;
  readonly attempts?: number;
  readonly concurrency?: number;
  readonly color: boolean;
}

/** Adds `-o/--output` and `--no-color`. */
export function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'report format').choices(OUTPUT_FORMATS).default('table'))
    .option('--no-color', 'never colour the table (colour is used only on a terminal anyway)');
}

/** Adds `--timeout`, `--attempts` and `--concurrency`, which override the test file's defaults. */
export function addProbeOptions(command: Command, defaults: { timeout?: string; attempts?: string } = {}): Command {
  const timeout = new Option(
    '--timeout <duration>',
    `per-attempt timeout, e.g. 500ms, 2s (${rangeText(PROBE_TIMEOUT)})`,
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
    );
}

/** Reads the shared flags from commander's parsed options. */
export function runFlags(opts: Record<string, unknown>): RunFlags {
  const color = opts.color !== false && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return {
    output: (opts.output as OutputFormat | undefined) ?? 'table',
    color,
    ...(typeof opts.timeout === 'number' ? { timeout: opts.timeout } : {}),
    ...(typeof opts.attempts === 'number' ? { attempts: opts.attempts } : {}),
    ...(typeof opts.concurrency === 'number' ? { concurrency: opts.concurrency } : {}),
  };
}

/** A duration range as help texts give it, e.g. `1ms-10m`: taken from the range, so help and checks agree. */
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
