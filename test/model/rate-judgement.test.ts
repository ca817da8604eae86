// The judgement of a rate-limit check: met, not met, or could not decide, from what each phase measured.

import t from 'tap';
import {
  judgeCheck,
  judgePhase,
  type RateCheckResult,
  type RateMeasurement,
  unsentMeasurement,
} from '../../src/model/rate-judgement.ts';
import { defaultPhases, type RateLimitExpectation, type RatePhase } from '../../src/model/rate-limit.ts';
import { checksExitCode, worseExitCode } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';

const EXPECT: RateLimitExpectation = {
  limitPerSecond: 10,
  limitText: '10/s',
  burst: 5,
  replicas: 1,
  tolerance: 0.1,
  rejectedWith: [429],
};

/** What a phase of `offered`/s over 5 s measured: every request sent on time and answered, unless overridden. */
function measured(offered: number, fields: Partial<RateMeasurement> = {}): RateMeasurement {
  const scheduled = offered * 5;
  return {
    offeredPerSecond: offered,
    durationMs: 5000,
    scheduled,
    sent: scheduled,
    achievedPerSecond: offered,
    late: 0,
    accepted: scheduled,
    statuses: {},
    resets: 0,
    unanswered: { timeout: 0, refused: 0, error: 0 },
    rejectionHeaders: [],
    ...fields,
  };
}

const phase = (offered: number): RatePhase => ({ offeredPerSecond: offered, durationMs: 5000, label: `${offered}/s` });

// Above the limit: 100 sent at 20/s over 5 s, a limit of 10/s with burst 5 → 55 accepted, ± 5 (10 % of 50).
const rows: [string, RatePhase, RateLimitExpectation, Partial<RateMeasurement>, string, RegExp][] = [
  ['below the limit, nothing rejected', phase(5), EXPECT, {}, 'met', /nothing rejected at 5\/s/],
  [
    'below the limit, one rejection',
    phase(5),
    EXPECT,
    { accepted: 24, statuses: { 429: 1 } },
    'not-met',
    /1 of 25 rejected at 5\/s, below the limit 10\/s \(429 ×1\)/,
  ],
  [
    'above: burst + limit × time accepted',
    phase(20),
    EXPECT,
    { accepted: 55, statuses: { 429: 45 } },
    'met',
    /55 accepted/,
  ],
  [
    'above: at the edge of the tolerance',
    phase(20),
    EXPECT,
    { accepted: 50, statuses: { 429: 50 } },
    'met',
    /within 50–60/,
  ],
  ['above: too many accepted', phase(20), EXPECT, { accepted: 61, statuses: { 429: 39 } }, 'not-met', /expected 50–60/],
  ['above: no limit at all', phase(20), EXPECT, {}, 'not-met', /100 accepted .* expected 50–60/],
  [
    'above: a limit half the one expected',
    phase(20),
    EXPECT,
    { accepted: 30, statuses: { 429: 70 } },
    'not-met',
    /30 accepted/,
  ],
  [
    'above: rejected with 503, not 429',
    phase(20),
    EXPECT,
    { accepted: 55, statuses: { 503: 45 } },
    'not-met',
    /rejected with 503 ×45, expected 429/,
  ],
  [
    'above: resets where resets are expected',
    phase(20),
    { ...EXPECT, rejectedWith: [429, 'reset'] },
    { accepted: 55, statuses: { 429: 40 }, resets: 5 },
    'met',
    /55 accepted/,
  ],
  [
    'replicas multiply the limit: 3 × 10/s',
    phase(60),
    { ...EXPECT, burst: 0, replicas: 3 },
    { accepted: 150, statuses: { 429: 150 } },
    'met',
    /within 135–165/,
  ],
  [
    'a target that never answered',
    phase(20),
    EXPECT,
    { accepted: 0, unanswered: { timeout: 0, refused: 100, error: 0 }, firstFailure: 'connect ECONNREFUSED' },
    'undecided',
    /never answered: 100 requests failed \(connect ECONNREFUSED\)/,
  ],
  [
    'a phase cut short by an interrupt',
    phase(20),
    EXPECT,
    { sent: 30, accepted: 30, interrupted: true },
    'undecided',
    /^interrupted after 30 of 100 requests$/,
  ],
  [
    'the offered rate not held',
    phase(20),
    EXPECT,
    { sent: 90, achievedPerSecond: 18, accepted: 50, statuses: { 429: 40 } },
    'undecided',
    /could not hold the offered rate: achieved 18\/s of 20\/s/,
  ],
  [
    'more than 5 % of the requests sent late',
    phase(20),
    EXPECT,
    { late: 6, accepted: 55, statuses: { 429: 45 } },
    'undecided',
    /6 of 100 requests sent late/,
  ],
  [
    'a few requests sent late',
    phase(20),
    EXPECT,
    { late: 5, accepted: 55, statuses: { 429: 45 } },
    'met',
    /55 accepted/,
  ],
  [
    'too many unanswered',
    phase(20),
    EXPECT,
    { accepted: 50, statuses: { 429: 40 }, unanswered: { timeout: 10, refused: 0, error: 0 } },
    'undecided',
    /10 of 100 requests got no answer/,
  ],
  [
    'too few answers (a 1 s phase of 20 with one unanswered)',
    { ...phase(20), durationMs: 1000 },
    EXPECT,
    {
      durationMs: 1000,
      scheduled: 20,
      sent: 20,
      accepted: 19,
      unanswered: { timeout: 1, refused: 0, error: 0 },
    },
    'undecided',
    /^too few answers: 19 \(at least 20\)$/,
  ],
];

for (const [name, p, expect, fields, verdict, why] of rows) {
  t.test(name, async (t) => {
    const result = judgePhase(p, expect, measured(p.offeredPerSecond, fields));
    t.equal(result.verdict, verdict);
    t.match(result.why, why);
  });
}

t.test('the default judgement offers 0.5× then 2× the limit over all replicas', async (t) => {
  t.same(
    defaultPhases({ ...EXPECT, replicas: 2 }, 4000).map((p) => [p.offeredPerSecond, p.durationMs, p.label]),
    [
      [10, 4000, '0.5× the limit'],
      [40, 4000, '2× the limit'],
    ],
  );
});

t.test('a check is the worst of its phases; a phase not run is undecided', async (t) => {
  const parsed = parseTarget('http://127.0.0.1:8080/');
  if (!parsed.ok) throw new Error(parsed.error);
  const check = {
    kind: 'rateLimit' as const,
    name: 'api',
    from: 'here',
    to: 'web',
    address: parsed.value,
    timeoutMs: 2000,
    maxInFlight: 64,
    phases: defaultPhases(EXPECT, 5000),
    expect: EXPECT,
  };
  const below = measured(5);
  const above = measured(20, { accepted: 55, statuses: { 429: 45 } });
  t.equal(judgeCheck(check, [below, above]).verdict, 'met');
  t.equal(judgeCheck(check, [below, measured(20)]).verdict, 'not-met');
  const cut = judgeCheck(check, [below]);
  t.equal(cut.verdict, 'undecided');
  t.match(cut.phases[1]?.why, /not run/);
  t.equal(judgeCheck(check, [below, above]).expected, '10/s, burst 5, ± 10 %, rejected with 429');
});

t.test('a phase that could not be sent at all is undecided and says why', async (t) => {
  const p = phase(20);
  const result = judgePhase(p, EXPECT, unsentMeasurement(p, 'no lab pod in default matches app=web'));
  t.equal(result.verdict, 'undecided');
  t.equal(result.why, 'nothing was sent: no lab pod in default matches app=web');
  t.equal(result.measurement.scheduled, 100);
  t.equal(result.measurement.sent, 0);
});

t.test('checks combine with the cells as cells combine: could not decide beats not met beats met', async (t) => {
  const v = (verdict: RateCheckResult['verdict']) => ({ verdict });
  t.equal(checksExitCode([]), 0);
  t.equal(checksExitCode([v('met'), v('met')]), 0);
  t.equal(checksExitCode([v('met'), v('not-met')]), 1);
  t.equal(checksExitCode([v('not-met'), v('undecided')]), 2);
  t.equal(worseExitCode(0, 1), 1);
  t.equal(worseExitCode(2, 1), 2);
  t.equal(worseExitCode(0, 0), 0);
});
