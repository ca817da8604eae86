// The logger behind `-v` and `--log-format`: log lines on stderr, as text or one JSON object per line.

import type { LogFields, Logger, LogLevel, OutputStream } from '../model/io.ts';
import { UsageError } from '../orchestration/usage-error.ts';
import { escapeText } from '../report/escape.ts';

/** How log lines are written. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The most detailed level `-v N` takes. */
const MAX_LEVEL = 3;

const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = { 1: 'info', 2: 'debug', 3: 'trace' };

/** What the logging flags asked for, and the command line without them. */
export interface LogFlags {
  readonly level: number;
  readonly format: LogFormat;
  readonly argv: readonly string[];
}

/**
 * Takes `-v`, `-vv`, `-vvv`, `-v N`, `--verbose[=N]` and `--log-format[=]FORMAT` out of the command line,
 * wherever they stand before `--`. Taken here rather than by commander: an option with an optional value
 * would swallow the word after it (`prober -v probe URL` would read "probe" as the level).
 */
export function logFlags(argv: readonly string[]): LogFlags {
  let level = 0;
  let format: LogFormat = 'text';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const verbose = /^--verbose(?:=(.*))?$/.exec(arg);
    if (/^-v+$/.test(arg) || verbose) {
      const value = verbose ? verbose[1] : arg === '-v' && /^\d+$/.test(argv[i + 1] ?? '') ? argv[++i] : undefined;
      level = value === undefined ? level + (verbose ? 1 : arg.length - 1) : levelValue(value);
      continue;
    }
    const logFormat = /^--log-format(?:=(.*))?$/.exec(arg);
    if (logFormat) {
      const value = logFormat[1] ?? argv[++i];
      if (!LOG_FORMATS.includes(value as LogFormat))
        throw new UsageError(`--log-format: "${value ?? ''}" is not one of ${LOG_FORMATS.join(', ')}`);
      format = value as LogFormat;
      continue;
    }
    rest.push(arg);
  }
  return { level: Math.min(level, MAX_LEVEL), format, argv: rest };
}

function levelValue(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_LEVEL)
    throw new UsageError(`-v: "${value}" is not a level from 0 to ${MAX_LEVEL}`);
  return n;
}

/**
 * A logger writing to `stream` every line up to `level`. Text lines are `prober: info: message key=value`,
 * escaped like every human-facing line (messages quote manifests and API servers); JSON lines are one
 * object each, with `time`, `level` and `msg` before the fields.
 */
export function createLogger(stream: OutputStream, level: number, format: LogFormat, now: () => number): Logger {
  return {
    level,
    log(at, message, fields = {}) {
      if (at > level) return;
      const name = LEVEL_NAMES[at];
      stream.write(
        format === 'json'
          ? `${JSON.stringify({ time: new Date(now()).toISOString(), level: name, msg: message, ...fields })}\n`
          : `prober: ${name}: ${escapeText(message)}${textFields(fields)}\n`,
      );
    },
  };
}

/** ` key=value …`, a value quoted when it holds a space, a quote or nothing. */
function textFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([key, value]) => {
      const text = String(value);
      return ` ${key}=${escapeText(/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text))}`;
    })
    .join('');
}
