// What one phase of a rate-limit check measured, and the judgement of a check from its phases: met,
// not met, or could not decide (the offered rate was not held, too few answers, a silent target).

import { type CheckVerdict, worstVerdict } from './checks.ts';
import {
  MIN_PHASE_REQUESTS,
  type RateLimitCheck,
  type RateLimitExpectation,
  type RatePhase,
  type Rejection,
  rateText,
  scheduledRequests,
  totalLimit,
} from './rate-limit.ts';

/** Requests that got no answer, by why (a reset is a rejection, counted with the statuses). */
export interface Unanswered {
  readonly timeout: number;
  readonly refused: number;
  readonly error: number;
}

/** What the sender saw in one phase (the probe layer fills it in; it never throws). */
export interface RateMeasurement {
  readonly offeredPerSecond: number;
  readonly durationMs: number;
  /** Requests the schedule held in the phase. */
  readonly scheduled: number;
  /** Requests sent within the phase (one not sent in time, or with every socket busy, is not sent). */
  readonly sent: number;
  /** `sent` over the phase's length: the offered rate actually achieved. */
  readonly achievedPerSecond: number;
  /** Requests sent more than two intervals (and more than LATE_MS) after their time: three bunched into one slot. */
  readonly late: number;
  /** Answers with a 2xx or 3xx status. */
  readonly accepted: number;
  /** Other answers, by status (`"429": 37`). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connections reset before an answer. */
  readonly resets: number;
  readonly unanswered: Unanswered;
  /** Headers that say how a rejection looks (`retry-after: 1`), as first seen on a rejection; at most a few. */
  readonly rejectionHeaders: readonly string[];
  /** The first failure's detail, for a check that could not decide (`connect ECONNREFUSED 127.0.0.1:9`). */
  readonly firstFailure?: string;
  /** True when the run was interrupted before the phase's end. */
  readonly interrupted?: boolean;
}

/** How far a dispatch may trail its schedule before it counts as late (and at least one interval). */
export const LATE_MS = 10;
/** The share of the offered rate a phase must achieve. */
const HOLD_SHARE = 0.98;
/**
 * The most requests that may go out late: a stalled sender bunches requests, which a limiter with a
 * small burst rejects below its limit. Scheduling delays on a busy host make a few per cent late.
 */
const LATE_SHARE = 0.05;
/** The most requests that may go unanswered (timeouts, refusals, errors) for a phase to be judged. */
const UNANSWERED_SHARE = 0.05;

/** One phase judged. */
export interface PhaseResult {
  readonly label: string;
  readonly measurement: RateMeasurement;
  /** The accepted requests expected, as a range; absent when the phase could not be judged. */
  readonly expectedAccepted?: { readonly min: number; readonly max: number };
  readonly verdict: CheckVerdict;
  /** Why, in one sentence. */
  readonly why: string;
}

/** A check judged: each phase and the verdict over them. */
export interface RateCheckResult {
  readonly name: string;
  readonly kind: 'rateLimit';
  readonly from: string;
  readonly to: string;
  readonly url: string;
  /** The expectation as people read it: `10/s × 2 replicas, burst 20, ± 10 %, rejected with 429`. */
  readonly expected: string;
  readonly phases: readonly PhaseResult[];
  readonly verdict: CheckVerdict;
}

/** The expectation in words. */
function expectationText(expect: RateLimitExpectation): string {
  const replicas = expect.replicas > 1 ? ` × ${expect.replicas} replicas = ${rateText(totalLimit(expect))}` : '';
  const burst = expect.burst > 0 ? `, burst ${expect.burst}` : '';
  return `${expect.limitText}${replicas}${burst}, ± ${Math.round(expect.tolerance * 1000) / 10} %, rejected with ${expect.rejectedWith.join(' or ')}`;
}

/** A check's phases judged one by one, and its verdict: the worst of theirs. */
export function judgeCheck(check: RateLimitCheck, measurements: readonly RateMeasurement[]): RateCheckResult {
  const phases = check.phases.map((phase, i) => {
    const measurement = measurements[i];
    return measurement
      ? judgePhase(phase, check.expect, measurement)
      : {
          label: phase.label,
          measurement: emptyMeasurement(phase),
          verdict: 'undecided' as const,
          why: 'not run (the run was interrupted)',
        };
  });
  const verdict = worstVerdict(phases.map((p) => p.verdict));
  return {
    name: check.name,
    kind: 'rateLimit',
    from: check.from,
    to: check.to,
    url: check.address.url,
    expected: expectationText(check.expect),
    phases,
    verdict,
  };
}

/** The rejections a measurement holds, by kind (`429`, `503`, `reset`), with their counts. */
/** Requests that got no answer: timed out, refused or failed. */
export function unansweredCount(m: RateMeasurement): number {
  return m.unanswered.timeout + m.unanswered.refused + m.unanswered.error;
}

export function rejectionsOf(m: RateMeasurement): [Rejection, number][] {
  const kinds: [Rejection, number][] = Object.entries(m.statuses).map(([status, n]) => [Number(status), n]);
  if (m.resets > 0) kinds.push(['reset', m.resets]);
  return kinds;
}

/**
 * One phase judged. It is undecided when the measurement cannot carry a verdict: the offered rate
 * was not held (a wrong verdict would follow from a rate that was never offered), no answer came,
 * too few came, or too many requests went unanswered. Otherwise, below the limit nothing may be
 * rejected; above it, the accepted requests must be the burst plus the limit over the phase
 * (± the tolerance of the limit's share), and every rejection must look as expected.
 */
export function judgePhase(phase: RatePhase, expect: RateLimitExpectation, m: RateMeasurement): PhaseResult {
  const base = { label: phase.label, measurement: m };
  const undecided = (why: string): PhaseResult => ({ ...base, verdict: 'undecided', why });
  const rejections = rejectionsOf(m);
  const rejected = rejections.reduce((sum, [, n]) => sum + n, 0);
  const answered = m.accepted + rejected;
  const noAnswer = unansweredCount(m);
  const failure = m.firstFailure ? ` (${m.firstFailure})` : '';
  if (m.interrupted) return undecided(`interrupted after ${m.sent} of ${m.scheduled} requests`);
  if (m.sent === 0 && m.firstFailure) return undecided(`nothing was sent: ${m.firstFailure}`);
  if (m.sent > 0 && answered === 0)
    return undecided(`the target never answered: ${noAnswer} requests failed${failure}`);
  if (m.sent < m.scheduled * HOLD_SHARE || m.late > m.scheduled * LATE_SHARE)
    return undecided(
      `could not hold the offered rate: achieved ${rateText(m.achievedPerSecond)} of ${rateText(m.offeredPerSecond)}` +
        (m.late > 0 ? `, ${m.late} of ${m.scheduled} requests sent late` : ''),
    );
  if (answered < MIN_PHASE_REQUESTS) return undecided(`too few answers: ${answered} (at least ${MIN_PHASE_REQUESTS})`);
  if (noAnswer > m.sent * UNANSWERED_SHARE)
    return undecided(`${noAnswer} of ${m.sent} requests got no answer${failure}`);
  const seconds = m.durationMs / 1000;
  const limit = totalLimit(expect);
  if (m.offeredPerSecond <= limit) {
    const expectedAccepted = { min: m.sent - noAnswer, max: m.sent };
    return rejected === 0
      ? { ...base, expectedAccepted, verdict: 'met', why: `nothing rejected at ${rateText(m.achievedPerSecond)}` }
      : {
          ...base,
          expectedAccepted,
          verdict: 'not-met',
          why: `${rejected} of ${answered} rejected at ${rateText(m.achievedPerSecond)}, below the limit ${rateText(limit)} (${kindsText(rejections)})`,
        };
  }
  const ideal = Math.min(m.sent, expect.burst + limit * seconds);
  const slack = expect.tolerance * limit * seconds;
  const expectedAccepted = { min: Math.max(0, Math.floor(ideal - slack)), max: Math.ceil(ideal + slack) };
  const beyond = expect.burst > 0 ? ' beyond the burst' : '';
  const acceptedRate = `${m.accepted} accepted (${rateText(Math.max(0, m.accepted - expect.burst) / seconds)}${beyond})`;
  if (m.accepted < expectedAccepted.min || m.accepted > expectedAccepted.max)
    return {
      ...base,
      expectedAccepted,
      verdict: 'not-met',
      why: `${acceptedRate}, expected ${expectedAccepted.min}–${expectedAccepted.max} for a limit of ${rateText(limit)}`,
    };
  const unexpected = rejections.filter(([kind]) => !expect.rejectedWith.includes(kind));
  if (unexpected.length > 0)
    return {
      ...base,
      expectedAccepted,
      verdict: 'not-met',
      why: `rejected with ${kindsText(unexpected)}, expected ${expect.rejectedWith.join(' or ')}`,
    };
  return {
    ...base,
    expectedAccepted,
    verdict: 'met',
    why: `${acceptedRate}, within ${expectedAccepted.min}–${expectedAccepted.max}`,
  };
}

/** `429 ×37, reset ×2`. */
export function kindsText(kinds: readonly [Rejection, number][]): string {
  return kinds.length === 0 ? 'none' : kinds.map(([kind, n]) => `${kind} ×${n}`).join(', ');
}

/**
 * The measurement of a phase that could not be sent at all (no source to send it from, a sender
 * that failed to start): nothing sent, and why, which the judgement quotes.
 */
export function unsentMeasurement(phase: RatePhase, why: string): RateMeasurement {
  return { ...emptyMeasurement(phase), firstFailure: why };
}

/** A measurement of nothing: a phase that never ran. */
function emptyMeasurement(phase: RatePhase): RateMeasurement {
  return {
    offeredPerSecond: phase.offeredPerSecond,
    durationMs: phase.durationMs,
    scheduled: scheduledRequests(phase),
    sent: 0,
    achievedPerSecond: 0,
    late: 0,
    accepted: 0,
    statuses: {},
    resets: 0,
    unanswered: { timeout: 0, refused: 0, error: 0 },
    rejectionHeaders: [],
  };
}
