// Bounded retries for API calls that failed transiently (throttling, 5xx, a dropped connection), waiting
// as long as the API server's `Retry-After` says when it says so.

import { backoffDelay, pause } from '../model/wait.ts';
import { KubeApiError } from './api-error.ts';

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Total attempts, including the first, for answers without `Retry-After`. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Retries that wait for the server's `Retry-After` (429, 5xx), on top of the attempts above; default 10. */
  readonly retryAfterRetries?: number;
  /** The most a call waits in all on `Retry-After`; an answer asking for more ends the retries. Default 60 s. */
  readonly retryAfterBudgetMs?: number;
  /**
   * How an API server that is down for a while is ridden out: failures that say so (no answer at all —
   * connection refused or reset, a request past its deadline — or a gateway's 502, 503, 504 without
   * Retry-After) are retried with backoff up to `maxDelayMs`, for `budgetMs` in all, instead of
   * `attempts` times. The client uses it only once the server has answered this run.
   */
  readonly outage?: { readonly budgetMs: number; readonly maxDelayMs: number };
}

/**
 * Four attempts over about three seconds without `Retry-After`: rides out an API server restart or a
 * leader election blip. With it (API Priority and Fairness sends `Retry-After: 1` with its 429), up to
 * 10 retries as client-go's rest client makes, each after the seconds the server asks, and at most a
 * minute of waiting in all: a server still shedding load after that is overloaded, not briefly busy,
 * and a run that stalls longer on one call helps neither the person waiting nor the server.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 2000,
  retryAfterRetries: 10,
  retryAfterBudgetMs: 60_000,
};

/**
 * A control-plane restart or upgrade: a minute or so of connection refused and 5xx while the API server
 * and etcd come back, ridden out for 90 s with backoff up to 5 s.
 */
export const OUTAGE: NonNullable<RetryPolicy['outage']> = { budgetMs: 90_000, maxDelayMs: 5000 };

/** Attempts in all once SIGINT/SIGTERM came: the cleanup's deletes get their retries, but no more. */
const INTERRUPTED_ATTEMPTS = 4;

/** True for a failure that says the API server (or the way to it) is down rather than the call wrong. */
function isOutage(error: KubeApiError): boolean {
  return error.code === undefined || error.code === 502 || error.code === 503 || error.code === 504;
}

function isTransient(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && error.transient;
}

/** The last transient error, its message saying why prober stopped honouring the server's Retry-After. */
function gaveUp(error: KubeApiError, why: string): KubeApiError {
  return new KubeApiError(error.call, error.code, error.reason, `${error.message} (${why})`, {
    cause: error,
    retryAfterSeconds: error.retryAfterSeconds,
  });
}

/**
 * Runs `call`, retrying while it throws a transient KubeApiError; other errors are thrown as they are.
 * An answer with `Retry-After` is retried after that many seconds, within the policy's count and
 * budget; one without it with a short backoff. `onRetry` hears about each retry and its delay.
 * `signal` (SIGINT/SIGTERM) ends a `Retry-After` wait at once with the last error. The short backoff is
 * not tied to it on purpose: the same client deletes the probe pods after an interruption, and those
 * deletes deserve their retries (at most about three seconds).
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: KubeApiError, attempt: number, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  const maxAfterRetries = policy.retryAfterRetries ?? 10;
  const budgetMs = policy.retryAfterBudgetMs ?? 60_000;
  let backoffs = 0;
  let afterRetries = 0;
  let waitedMs = 0;
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const after = error.retryAfterSeconds;
      if (after !== undefined) {
        const delayMs = after * 1000;
        if (signal?.aborted) throw gaveUp(error, 'interrupted, not waiting for Retry-After');
        if (afterRetries >= maxAfterRetries)
          throw gaveUp(error, `still refused after ${afterRetries} retries, each after the server's Retry-After`);
        if (waitedMs + delayMs > budgetMs)
          throw gaveUp(
            error,
            `gave up: waiting ${after} s more would exceed ${budgetMs / 1000} s of Retry-After in all`,
          );
        afterRetries += 1;
        waitedMs += delayMs;
        onRetry?.(error, attempt, delayMs);
        if (!(await pause(delayMs, signal))) throw gaveUp(error, 'interrupted while waiting for Retry-After');
      } else {
        const outage = policy.outage && isOutage(error) && !signal?.aborted ? policy.outage : undefined;
        const attempts = signal?.aborted ? Math.min(policy.attempts, INTERRUPTED_ATTEMPTS) : policy.attempts;
        if (!outage && backoffs + 1 >= attempts) throw error;
        const maxMs = outage?.maxDelayMs ?? policy.maxDelayMs;
        const delayMs = backoffDelay({ initialMs: policy.baseDelayMs, maxMs }, backoffs);
        const spentMs = performance.now() - started;
        if (outage && spentMs + delayMs > outage.budgetMs)
          throw gaveUp(error, `still failing after ${Math.round(spentMs / 1000)} s of retries`);
        backoffs += 1;
        onRetry?.(error, attempt, delayMs);
        await pause(delayMs);
      }
    }
  }
}
