// Waiting on a condition with a deadline, instead of sleeping and hoping.

import { waitFor as poll } from '../../src/model/wait.ts';

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
  let lastError: unknown;
  const result = await poll(
    async () => {
      try {
        return await check();
      } catch (error) {
        // A check may fail until the thing it looks at exists (a file, a socket): keep polling.
        lastError = error;
        return undefined;
      }
    },
    { deadlineMs: timeoutMs, intervalMs: everyMs },
  );
  if (!result.ok) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
  return result.value as T;
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
