// A rate-limit check of `spec.checks`: its source, target, rates and bounds, checked at load with the
// file, line and field of what is wrong.

import { parseDuration } from '../model/duration.ts';
import {
  DEFAULT_PHASE_MS,
  DEFAULT_REJECTED_WITH,
  DEFAULT_TOLERANCE,
  defaultPhases,
  MAX_PHASE_MS,
  parseRate,
  parseTolerance,
  phaseProblem,
  type RateLimitCheck,
  type RateLimitExpectation,
  type RatePhase,
} from '../model/rate-limit.ts';
import { type CheckContext, checkBase, failureAt } from './load-check-ends.ts';
import type { TestDocument } from './schemas.ts';

type RawChecks = NonNullable<TestDocument['spec']['checks']>;
type RawRateLimit = NonNullable<RawChecks[string]['rateLimit']>;

/** A phase's length: long enough for a limiter's window to turn over, short enough for a CI job. */
const PHASE_RANGE = { what: 'a rate-limit phase', minMs: 1000, maxMs: MAX_PHASE_MS };
/** Requests in flight at most, unless the check says. */
const DEFAULT_CONNECTIONS = 256;

/** The rate-limit check named `name`; a field out of range throws a ConfigError naming it. */
export function readRateLimit(ctx: CheckContext, name: string, raw: RawRateLimit): RateLimitCheck {
  const fail = failureAt(ctx.doc, name, 'rateLimit');
  const base = checkBase(ctx, name, raw, fail, 'a rate-limit check');
  // The schema matched the patterns; what is left is the range.
  const limitPerSecond = parseRate(raw.limit) ?? 0;
  if (limitPerSecond <= 0) fail('limit', 'must be more than 0');
  const tolerance = raw.tolerance === undefined ? DEFAULT_TOLERANCE : parseTolerance(raw.tolerance);
  if (tolerance === undefined) fail('tolerance', 'must be at most 100%');
  const expect: RateLimitExpectation = {
    limitPerSecond,
    limitText: raw.limit,
    burst: raw.burst ?? 0,
    replicas: raw.replicas ?? 1,
    tolerance: tolerance ?? DEFAULT_TOLERANCE,
    rejectedWith: raw.rejectedWith ?? DEFAULT_REJECTED_WITH,
  };
  let durationMs = DEFAULT_PHASE_MS;
  if (raw.duration !== undefined) {
    const parsed = parseDuration(raw.duration, PHASE_RANGE);
    if (!parsed.ok) fail('duration', parsed.error);
    else durationMs = parsed.ms;
  }
  let phases: RatePhase[];
  if (raw.rate === undefined) phases = defaultPhases(expect, durationMs);
  else {
    const offered = parseRate(raw.rate) ?? 0;
    if (offered <= 0) fail('rate', 'must be more than 0');
    phases = [{ offeredPerSecond: offered, durationMs, label: raw.rate }];
  }
  const problem = phaseProblem(phases);
  if (problem) fail(raw.rate === undefined ? 'limit' : 'rate', `the check ${problem}`);
  return {
    kind: 'rateLimit',
    ...base,
    maxInFlight: raw.connections ?? DEFAULT_CONNECTIONS,
    phases,
    expect,
  };
}
