// One phase of a rate-limit check as a plan for a sender started elsewhere (a lab pod's namespace):
// what it sends, where, and for how long; the sender answers with one RateMeasurement line.

import type { RateMeasurement } from './rate-judgement.ts';
import type { RateLimitCheck, RatePhase } from './rate-limit.ts';

/** The bytes a rate plan may hold: a URL and a few numbers. */
export const MAX_RATE_PLAN_BYTES = 16 * 1024;
/** The most connections a check may keep (the test file's `connections` maximum). */
export const MAX_CONNECTIONS = 4096;

/** A phase to send, as written to the sender. */
export interface RatePlanDocument {
  readonly apiVersion: 'prober/v1alpha1';
  readonly kind: 'RatePlan';
  /** The target's URL (http:// or https://). */
  readonly url: string;
  /** The IP family the requests must use, when the target names one. */
  readonly family?: 'ipv4' | 'ipv6';
  readonly offeredPerSecond: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
}

/** The sender's one output line. */
export interface RateMeasurementLine extends RateMeasurement {
  readonly kind: 'RateMeasurement';
}

/** The plan of one phase of a check. */
export function ratePlanOf(check: RateLimitCheck, phase: RatePhase): RatePlanDocument {
  return {
    apiVersion: 'prober/v1alpha1',
    kind: 'RatePlan',
    url: check.address.url,
    ...(check.address.family ? { family: check.address.family } : {}),
    offeredPerSecond: phase.offeredPerSecond,
    durationMs: phase.durationMs,
    timeoutMs: check.timeoutMs,
    maxInFlight: check.maxInFlight,
  };
}

/** Sends one phase of a check from where the check's source is and returns what it measured; never throws. */
export type PhaseSender = (check: RateLimitCheck, phase: RatePhase, signal: AbortSignal) => Promise<RateMeasurement>;
