// Durations as kubectl writes them (Go's time.ParseDuration: "500ms", "1m30s", "2h"), as milliseconds,
// and the one range each kind of duration must keep.

import { quoteName } from './k8s-names.ts';

/** Milliseconds per unit of Go's time.ParseDuration (`µs` as U+00B5 or U+03BC, as Go accepts both). */
const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A duration in Go's syntax, as the schemas and the parser match it: one or more terms, each a decimal
 * number (`1`, `1.5`, `.5`, `1.`) and a unit, with no sign and no spaces (kubectl's `--request-timeout`,
 * `kubectl wait --timeout`). A bare `0` is Go's zero duration; whether zero is allowed is the range's
 * business. No range goes past a day, so a longer text is never a duration prober takes.
 */
export const DURATION_PATTERN = '^(0|((\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$';

/** The most characters a duration may have: the longest useful one (`23h59m59s999ms`) and then some. */
const MAX_DURATION_CHARS = 32;

/** How errors say what a duration looks like. */
export const DURATION_EXAMPLES = 'write e.g. 500ms, 2s, 1m30s or 2h';

/** What a duration is for and the inclusive range it must fall in, in whole milliseconds. */
export interface DurationRange {
  /** How the duration is named in an error, e.g. "a probe timeout". */
  readonly what: string;
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The longest delay Node's timers can hold (2³¹−1 ms, about 24.8 days): a longer one is replaced by
 * 1 ms with only a warning, which would turn every probe into an instant timeout. No range may exceed it.
 */
const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * A probe's per-attempt timeout, wherever it is given: `--timeout`, a test file's `timeout` fields and
 * a plan's `timeoutMs` (the plan schema takes its bounds from here). Ten minutes is already far past
 * any useful probe; the cap keeps the worst case of a plan (timeouts × attempts × waves) reasonable.
 */
export const PROBE_TIMEOUT: DurationRange = { what: 'a probe timeout', minMs: 1, maxMs: 600_000 };

/**
 * How long a `tcp://` probe watches a fresh connection for a FIN or RST before calling it an allow
 * (ADR 0007). 0 turns the window off; five seconds is far past any proxy's deny, and a window must
 * also end before the probe's timeout (checked where both are known).
 */
export const SETTLE_WINDOW: DurationRange = { what: 'a settle window', minMs: 0, maxMs: 5000 };

/**
 * The settle window when none is given: 200 ms, about twenty times what an Envoy or ztunnel L4 deny
 * takes in a cluster (ADR 0007), or half the probe timeout when that is shorter.
 */
export const DEFAULT_SETTLE_MS = 200;

/** The settle window a probe with `timeoutMs` uses: the given one, else the default (at most half the timeout). */
export function settleWindowMs(timeoutMs: number, settleMs?: number): number {
  return settleMs ?? Math.min(DEFAULT_SETTLE_MS, Math.floor(timeoutMs / 2));
}

/** Parses a settle window: a duration within SETTLE_WINDOW, or a bare `0` (off). */
export function parseSettle(text: string): ParsedDuration {
  return text.trim() === '0' ? { ok: true, ms: 0 } : parseDuration(text, SETTLE_WINDOW);
}

/** The deadline of one cluster agent (`--agent-timeout`), image pull included: one second to one day. */
export const AGENT_TIMEOUT: DurationRange = { what: 'an agent timeout', minMs: 1000, maxMs: 86_400_000 };

/** How long a resident agent waits for a client to send its plan line (`agent --listen --client-timeout`). */
export const CLIENT_TIMEOUT: DurationRange = { what: 'a client timeout', minMs: 1, maxMs: 3_600_000 };

/** A parsed duration, or why the text is not one. */
export type ParsedDuration =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly error: string };

const DURATION_RE = new RegExp(DURATION_PATTERN);

/**
 * Parses a duration in Go's syntax (`500ms`, `2s`, `1.5s`, `1m30s`, `2h`) into whole milliseconds within
 * `range`. Fractions of a millisecond below the minimum are rejected rather than rounded to a zero
 * timeout; the error names the text (cut short, a test file's value may be a megabyte) and the range,
 * so callers only add where it came from.
 */
export function parseDuration(text: string, range: DurationRange): ParsedDuration {
  const trimmed = text.trim();
  if (trimmed.length > MAX_DURATION_CHARS || !DURATION_RE.test(trimmed))
    return { ok: false, error: `${quoteName(text)} is not a duration (${DURATION_EXAMPLES})` };
  let exact = 0;
  for (const [, number, unit] of trimmed.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g))
    exact += Number(number) * (UNITS[unit ?? ''] ?? Number.NaN);
  const ms = Math.round(exact);
  if (!Number.isFinite(exact) || exact < range.minMs || ms > Math.min(range.maxMs, TIMER_MAX_MS)) {
    return {
      ok: false,
      error: `${quoteName(text)} is out of range: ${range.what} is from ${formatDuration(range.minMs)} to ${formatDuration(range.maxMs)}`,
    };
  }
  return { ok: true, ms };
}

/** Formats milliseconds the way a person would write them back into a test file. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
