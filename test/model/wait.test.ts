// The one wait/retry helper every layer uses: polling with a deadline, retries with backoff, and that
// an AbortSignal ends any of them at once (what makes SIGINT stop a run within moments). Real timers.

import t from 'tap';
import { type Backoff, backoffDelay, type Outcome, pause, retry, settleWithin, waitFor } from '../../src/model/wait.ts';

/** Timers pending in this process (the event loop stays up while any is). */
function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Far beyond the test's own timeout: a wait that does not end early fails the test instead of passing slowly. */
const FOREVER = 10 * 60_000;

t.test('backoff sequences of the waits that use one', async (t) => {
  const rows: [string, Backoff, number[]][] = [
    ['API retries (cluster/retry)', { initialMs: 250, maxMs: 2000 }, [250, 500, 1000, 2000, 2000]],
    [
      'agent pod polling (cluster/agent-wait)',
      { initialMs: 200, factor: 1.5, maxMs: 1000 },
      [200, 300, 450, 675, 1000],
    ],
    ['probe retries (probe/engine)', { initialMs: 100, maxMs: 1000 }, [100, 200, 400, 800, 1000]],
    ['no ceiling', { initialMs: 1, factor: 3 }, [1, 3, 9, 27, 81]],
  ];
  for (const [name, backoff, delays] of rows)
    t.same(
      delays.map((_, step) => backoffDelay(backoff, step)),
      delays,
      name,
    );
});

t.test('waitFor returns the first value the condition gives', async (t) => {
  let polls = 0;
  const result = await waitFor(() => (++polls === 3 ? { found: polls } : undefined), {
    deadlineMs: FOREVER,
    intervalMs: 1,
  });
  t.same(result, { ok: true, value: { found: 3 } });
  t.equal(polls, 3, 'not asked again once it answered');
  const falsy = await waitFor(() => 0, { deadlineMs: FOREVER, intervalMs: 1 });
  t.same(falsy, { ok: true, value: 0 }, 'only undefined and false mean "not yet"');
});

t.test('waitFor asks at least once, and ends with reason deadline when time runs out', async (t) => {
  let polls = 0;
  t.same(await waitFor(() => ++polls > 1, { deadlineMs: 0, intervalMs: 1 }), { ok: false, reason: 'deadline' });
  t.equal(polls, 1, 'a deadline already passed still gets one poll, and only one');

  polls = 0;
  const started = Date.now();
  const result = await waitFor(
    () => {
      polls += 1;
      return false;
    },
    { deadlineMs: 50, intervalMs: 10 },
  );
  t.same(result, { ok: false, reason: 'deadline' });
  t.ok(Date.now() - started >= 50, 'not before the deadline');
  t.ok(polls >= 2, `polled again before giving up (${polls} polls)`);
});

t.test('the last pause is cut short at the deadline', async (t) => {
  // With a pause of ten minutes, only the cut makes this return before the test times out.
  const result = await waitFor(() => false, { deadlineMs: 30, intervalMs: FOREVER });
  t.same(result, { ok: false, reason: 'deadline' });
});

t.test('a condition that throws ends the wait with its error', async (t) => {
  let polls = 0;
  const broken = new Error('the socket directory is gone');
  await t.rejects(
    waitFor(
      () => {
        polls += 1;
        if (polls === 2) throw broken;
        return false;
      },
      { deadlineMs: FOREVER, intervalMs: 1 },
    ),
    broken,
  );
  t.equal(polls, 2, 'not polled after the throw');
  await t.rejects(
    waitFor(() => Promise.reject(broken), { deadlineMs: FOREVER, intervalMs: 1 }),
    broken,
    'a rejection too',
  );
});

t.test('aborting ends a wait at once, in a pause or before a poll', async (t) => {
  const controller = new AbortController();
  let polls = 0;
  const before = pendingTimers();
  const result = await waitFor(
    () => {
      polls += 1;
      // Aborted while the wait is in its (ten-minute) pause.
      setImmediate(() => controller.abort(new Error('interrupted by SIGINT')));
      return false;
    },
    { deadlineMs: FOREVER, intervalMs: FOREVER, signal: controller.signal },
  );
  t.same(result, { ok: false, reason: 'aborted' });
  t.equal(polls, 1);
  t.equal(pendingTimers(), before, 'the pause timer is cleared, not left to hold the process');

  polls = 0;
  const again = await waitFor(() => ++polls, { deadlineMs: FOREVER, intervalMs: 1, signal: controller.signal });
  t.same(again, { ok: false, reason: 'aborted' }, 'an aborted signal stops the wait before any poll');
  t.equal(polls, 0);
});

t.test('pause: true when the time passed, false when aborted', async (t) => {
  t.equal(await pause(1), true);
  const controller = new AbortController();
  const pausing = pause(FOREVER, controller.signal);
  controller.abort();
  t.equal(await pausing, false, 'aborted during the pause');
  t.equal(await pause(FOREVER, controller.signal), false, 'aborted before it');
});

t.test('settleWithin: the value in time, undefined after it, and no timer left behind', async (t) => {
  const before = pendingTimers();
  t.same(await settleWithin(Promise.resolve('done'), FOREVER), { value: 'done' });
  t.equal(pendingTimers(), before, 'the grace timer is cleared once the work settled');
  t.equal(await settleWithin(new Promise(() => undefined), 5), undefined, 'time ran out');
  await t.rejects(settleWithin(Promise.reject(new Error('broken')), FOREVER), /broken/);
  t.equal(pendingTimers(), before, 'cleared after a rejection too');
});

class Transient extends Error {}

t.test('retry retries what is retryable, up to the attempts, and throws the last error', async (t) => {
  const heard: [unknown, number][] = [];
  let made = 0;
  const failing = retry(
    async () => {
      made += 1;
      throw new Transient(`attempt ${made}`);
    },
    {
      attempts: 3,
      backoff: { initialMs: 1 },
      isRetryable: (error) => error instanceof Transient,
      onRetry: (outcome, attempt) => heard.push(['error' in outcome ? (outcome.error as Error).message : '', attempt]),
    },
  );
  await t.rejects(failing, { message: 'attempt 3' });
  t.equal(made, 3);
  t.same(
    heard,
    [
      ['attempt 1', 1],
      ['attempt 2', 2],
    ],
    'each retry heard, none after the last attempt',
  );

  made = 0;
  const fatal = new Error('forbidden');
  await t.rejects(
    retry(
      async () => {
        made += 1;
        throw fatal;
      },
      { attempts: 5, backoff: { initialMs: 1 }, isRetryable: (error) => error instanceof Transient },
    ),
    fatal,
  );
  t.equal(made, 1, 'an error that is not retryable is thrown at once');

  made = 0;
  const recovered = await retry(
    async () => {
      made += 1;
      if (made < 3) throw new Transient('blip');
      return 'pods';
    },
    { attempts: 4, backoff: { initialMs: 1 }, isRetryable: (error) => error instanceof Transient },
  );
  t.same(recovered, { ok: true, value: 'pods', attempts: 3 });
});

t.test('retry retries inconclusive values and keeps the last one when attempts run out', async (t) => {
  const values = ['error', 'deny', 'allow', 'never reached'];
  const seen: number[] = [];
  const conclusive = await retry(
    async (n) => {
      seen.push(n);
      return values[n - 1]!;
    },
    {
      attempts: 4,
      backoff: { initialMs: 1 },
      retryValue: (value) => value !== 'allow',
    },
  );
  t.same(conclusive, { ok: true, value: 'allow', attempts: 3 });
  t.same(seen, [1, 2, 3], 'the attempt number is passed in');
  const exhausted = await retry(async () => 'error', {
    attempts: 2,
    backoff: { initialMs: 1 },
    retryValue: () => true,
  });
  t.same(exhausted, { ok: true, value: 'error', attempts: 2 });
  const once = await retry(async () => 'error', { attempts: 0, backoff: { initialMs: 1 }, retryValue: () => true });
  t.same(once, { ok: true, value: 'error', attempts: 1 }, 'at least one attempt is made');
});

t.test('aborting ends retries at once, with the last outcome', async (t) => {
  const controller = new AbortController();
  let made = 0;
  const before = pendingTimers();
  const result = await retry(
    async () => {
      made += 1;
      setImmediate(() => controller.abort());
      return 'deny';
    },
    { attempts: 5, backoff: { initialMs: FOREVER }, retryValue: () => true, signal: controller.signal },
  );
  t.same(result, { ok: false, reason: 'aborted', attempts: 1, last: { value: 'deny' } satisfies Outcome<string> });
  t.equal(made, 1, 'no attempt after the abort');
  t.equal(pendingTimers(), before, 'the backoff timer is cleared');
  const never = await retry(async () => 'x', { attempts: 3, backoff: { initialMs: 1 }, signal: controller.signal });
  t.same(never, { ok: false, reason: 'aborted', attempts: 0 }, 'an aborted signal stops it before the first attempt');
});
