// Bounded retries with backoff for API calls that failed transiently (throttling, 5xx, a dropped connection).

import { KubeApiError } from './api-error.ts';

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Total attempts, including the first. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Four attempts over about three seconds: rides out an API server restart or a leader election blip. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 };

/**
 * Runs `call`, retrying while it throws a transient KubeApiError. Other errors, and the last
 * transient one, are thrown as they are. `onRetry` hears about each retry (for progress and tests).
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: KubeApiError, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubeApiError) || !error.transient || attempt >= policy.attempts) throw error;
      onRetry?.(error, attempt);
      await sleep(Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs));
    }
  }
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
