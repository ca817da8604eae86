// `spec.checks` of a ReachabilityTest: each check's source, target, rates and bounds, checked at load
// with the file, line and field of what is wrong.

import { parseDuration } from '../model/duration.ts';
import { someNames } from '../model/names.ts';
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
import { type RunDefaults, ruleTargetName, type SourceSpec, type TargetSpec } from '../model/test-spec.ts';
import { ConfigError } from './config-error.ts';
import type { TestDocument } from './schemas.ts';
import type { PositionedDocument } from './yaml-file.ts';

type RawChecks = NonNullable<TestDocument['spec']['checks']>;
type RawRateLimit = RawChecks[string]['rateLimit'];

/** A phase's length: long enough for a limiter's window to turn over, short enough for a CI job. */
const PHASE_RANGE = { what: 'a rate-limit phase', minMs: 1000, maxMs: MAX_PHASE_MS };
/** Requests in flight at most, unless the check says. */
const DEFAULT_CONNECTIONS = 256;

/** The checks of `spec.checks`, in the order written. */
export function readChecks(
  doc: PositionedDocument,
  raw: RawChecks | undefined,
  sources: readonly SourceSpec[],
  targets: readonly TargetSpec[],
  defaults: RunDefaults,
): RateLimitCheck[] {
  if (!raw) return [];
  return Object.entries(raw).map(([name, check]) =>
    readRateLimit(doc, name, check.rateLimit, sources, targets, defaults),
  );
}

function readRateLimit(
  doc: PositionedDocument,
  name: string,
  raw: RawRateLimit,
  sources: readonly SourceSpec[],
  targets: readonly TargetSpec[],
  defaults: RunDefaults,
): RateLimitCheck {
  const path = ['spec', 'checks', name, 'rateLimit'];
  const fail = (field: string, message: string): never => {
    throw new ConfigError(
      doc.file,
      doc.lineOf([...path, field]) ?? doc.lineOf(path),
      `${path.join('.')}.${field}`,
      message,
    );
  };
  if (!sources.some((s) => s.name === raw.from))
    fail('from', `"${raw.from}" names no source (known: ${someNames(sources.map((s) => s.name))})`);
  const named = targets.filter((t) => ruleTargetName(t) === raw.to);
  const target = named[0];
  if (!target)
    return fail('to', `"${raw.to}" names no target (known: ${someNames([...new Set(targets.map(ruleTargetName))])})`);
  if (named.length > 1) fail('to', `"${raw.to}" is probed over both families; a rate-limit check needs one`);
  if (target.address.scheme !== 'http' && target.address.scheme !== 'https')
    fail(
      'to',
      `"${raw.to}" is a ${target.address.scheme}:// target; a rate-limit check sends HTTP requests (http:// or https://)`,
    );
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
    name,
    from: raw.from,
    to: raw.to,
    address: target.address,
    timeoutMs: target.timeoutMs ?? defaults.timeoutMs,
    maxInFlight: raw.connections ?? DEFAULT_CONNECTIONS,
    phases,
    expect,
    origin: { file: doc.file, line: doc.lineOf(['spec', 'checks', name]) ?? 1 },
  };
}
