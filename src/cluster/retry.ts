// Bounded retries with backoff for API calls that failed transiently (throttling, 5xx, a dropped connection).

import { retry } from '../model/wait.ts';
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

function isTransient(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && error.transient;
}

/**
 * Runs `call`, retrying while it throws a transient KubeApiError. Other errors, and the last
 * transient one, are thrown as they are. `onRetry` hears about each retry (for progress and tests).
 * The backoff is not tied to the run's AbortSignal on purpose: the same client deletes the probe pods
 * after an interruption, and those deletes deserve their retries (at most about three seconds).
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: KubeApiError, attempt: number) => void,
): Promise<T> {
  const result = await retry(call, {
    attempts: policy.attempts,
    backoff: { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs },
    isRetryable: isTransient,
    ...(onRetry
      ? { onRetry: (outcome, attempt) => 'error' in outcome && onRetry(outcome.error as KubeApiError, attempt) }
      : {}),
  });
  // Without a signal the retries cannot be aborted: every other ending is a value or a throw.
  if (!result.ok) throw new Error('unreachable: API retries aborted without a signal');
  return result.value;
}
