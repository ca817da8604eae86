// Waiting on a condition with a deadline, instead of sleeping and hoping.

import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `check` every few milliseconds until it returns a value other than undefined/false, and
 * returns that value; throws naming `what` once `timeoutMs` has passed (with the last error seen).
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await delay(everyMs);
  }
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<void> {
  await until(what, condition, timeoutMs, everyMs);
}
