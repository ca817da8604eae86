// Waiting and retrying, written once: polls with a deadline, bounded retries with backoff, every wait abortable.
// Timers are not I/O, so this lives in model/ where every layer can import it.

import { setTimeout as delay } from 'node:timers/promises';

/** Delays that grow: `initialMs`, then × `factor` each time, never above `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  /** Growth per step; 2 unless told. */
  readonly factor?: number;
  /** Ceiling of one delay; none unless told. */
  readonly maxMs?: number;
}

/**
 * The `step`-th delay of a backoff (0 for the first).
 * @example backoffDelay({ initialMs: 250, maxMs: 2000 }, 2) // 1000
 */
export function backoffDelay(backoff: Backoff, step: number): number {
  return Math.min(backoff.initialMs * (backoff.factor ?? 2) ** step, backoff.maxMs ?? Number.POSITIVE_INFINITY);
}

/**
 * Resolves after `ms`: true when the time passed, false at once when `signal` aborts (before or
 * during). Never rejects, so a caller decides what an interruption means for it.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for `work` at most `ms`: its value, or `undefined` when the time ran out first. The timer is
 * cleared as soon as `work` settles, so a finished wait never holds the process open; a rejection of
 * `work` is passed on.
 */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<{ readonly value: T } | undefined> {
  const stop = new AbortController();
  try {
    return await Promise.race([work.then((value) => ({ value })), pause(ms, stop.signal).then(() => undefined)]);
  } finally {
    stop.abort();
  }
}

/** How a wait ended: the condition's value, or why there is none. */
export type WaitResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'deadline' | 'aborted' };

/** How long and how often to poll. */
export interface WaitOptions {
  /** Time from now after which the condition is not asked again. It is always asked at least once. */
  readonly deadlineMs: number;
  /** Pause between polls: fixed, or growing. The last pause is cut short at the deadline. */
  readonly intervalMs: number | Backoff;
  /** Ends the wait at once (before the next poll, or during a pause) with `reason: 'aborted'`. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Polls `condition` until it returns something other than `undefined` or `false`, and returns that.
 * A condition that throws ends the wait with its error (a condition that should ride out errors
 * catches them itself). Timing out and being aborted are results, not errors: each caller words its
 * own message.
 * @example
 * const up = await waitFor(() => accepts(socket), { deadlineMs: 15_000, intervalMs: 25, signal });
 * if (!up.ok) throw new Error(`not listening after 15 s`);
 */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<WaitResult<Exclude<T, false | undefined>>> {
  const deadline = Date.now() + options.deadlineMs;
  const { intervalMs, signal } = options;
  for (let poll = 0; ; poll += 1) {
    if (signal?.aborted) return { ok: false, reason: 'aborted' };
    const value = await condition();
    if (value !== undefined && value !== false) return { ok: true, value: value as Exclude<T, false | undefined> };
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, reason: 'deadline' };
    const interval = typeof intervalMs === 'number' ? intervalMs : backoffDelay(intervalMs, poll);
    if (!(await pause(Math.min(interval, left), signal))) return { ok: false, reason: 'aborted' };
  }
}

/** How often and how patiently to retry. */
export interface RetryOptions<T> {
  /** Total attempts, including the first (at least one is made). */
  readonly attempts: number;
  /** Pause before the second attempt, growing for each further one. */
  readonly backoff: Backoff;
  /** Whether a thrown error deserves another attempt; when not (the default), it is thrown at once. */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Whether a returned value is inconclusive and deserves another attempt; never, unless told. */
  readonly retryValue?: (value: T) => boolean;
  /** Hears about each retry before its pause: what the attempt gave, and its number (from 1). */
  readonly onRetry?: (outcome: Outcome<T>, attempt: number) => void;
  /** Ends the retries at once (before an attempt, or during a pause) with `ok: false`. */
  readonly signal?: AbortSignal | undefined;
}

/** What one attempt gave: a value, or an error it threw. */
export type Outcome<T> = { readonly value: T } | { readonly error: unknown };

/** How retrying ended: the last value (accepted, or the last one when attempts ran out), or aborted. */
export type RetryResult<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | {
      readonly ok: false;
      readonly reason: 'aborted';
      readonly attempts: number;
      /** The last attempt's outcome, when one was made. */
      readonly last?: Outcome<T>;
    };

/**
 * Runs `attempt` up to `options.attempts` times, pausing with backoff between attempts, while it
 * throws a retryable error or returns a value `retryValue` rejects. An error not worth retrying, and
 * a retryable one on the last attempt, are thrown as they are.
 * @example
 * const r = await retry(() => api.readPod(ns, name), { attempts: 4, backoff: { initialMs: 250, maxMs: 2000 }, isRetryable });
 */
export async function retry<T>(
  attempt: (number: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<RetryResult<T>> {
  const attempts = Math.max(1, options.attempts);
  let last: Outcome<T> | undefined;
  for (let made = 0; ; ) {
    if (options.signal?.aborted) return aborted(made, last);
    try {
      last = { value: await attempt(made + 1) };
    } catch (error) {
      last = { error };
    }
    made += 1;
    if ('error' in last) {
      if (!(options.isRetryable?.(last.error) ?? false) || made >= attempts) throw last.error;
    } else if (!(options.retryValue?.(last.value) ?? false) || made >= attempts) {
      return { ok: true, value: last.value, attempts: made };
    }
    options.onRetry?.(last, made);
    if (!(await pause(backoffDelay(options.backoff, made - 1), options.signal))) return aborted(made, last);
  }
}

function aborted<T>(attempts: number, last: Outcome<T> | undefined): RetryResult<T> {
  return { ok: false, reason: 'aborted', attempts, ...(last ? { last } : {}) };
}
