// A rate-limit check as a plan for a sender started elsewhere: one phase (a lab pod's namespace, one
// RateMeasurement line back) or every phase with the refill pause between them (a cluster pod's agent,
// a line per phase); and the senders' types, phase by phase or a whole check at a time.

import type { RateMeasurement } from './rate-judgement.ts';
import { type RateLimitCheck, type RatePhase, totalLimit } from './rate-limit.ts';

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

/** The most phases one check plan may hold: a check has a few (the default judgement has two). */
export const MAX_PLAN_PHASES = 16;
/** The shortest pause between two phases: a one-second window (HAProxy's `http_req_rate(1s)`) turns over. */
const MIN_PAUSE_MS = 2000;
/** The longest: a bucket refilling for longer than this is not waited for. */
export const MAX_PAUSE_MS = 30_000;

/** How long to wait after a phase of `check`, so the next starts with the limiter refilled (its burst, then a window). */
export function refillPauseMs(check: RateLimitCheck): number {
  const refillMs = (check.expect.burst / totalLimit(check.expect)) * 1000;
  return Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, Math.ceil(refillMs) + 1000));
}

/**
 * Every phase of a check for one agent in the source's pod (the cluster's, where each agent stays in its
 * pod for good, so one runs them all): the phases in order, `pauseMs` between two, one RateMeasurement
 * line per phase (with its index), then an AgentDone line.
 */
export interface RateCheckPlanDocument {
  readonly apiVersion: 'prober/v1alpha1';
  readonly kind: 'RateCheckPlan';
  /** The source it is sent from (for messages). */
  readonly source: string;
  /** The check's name (for messages). */
  readonly check: string;
  readonly url: string;
  readonly family?: 'ipv4' | 'ipv6';
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  readonly pauseMs: number;
  readonly phases: readonly { readonly offeredPerSecond: number; readonly durationMs: number }[];
}

/** The plan of all of a check's phases, sent from `source`. */
export function rateCheckPlanOf(check: RateLimitCheck, source: string): RateCheckPlanDocument {
  return {
    apiVersion: 'prober/v1alpha1',
    kind: 'RateCheckPlan',
    source,
    check: check.name,
    url: check.address.url,
    ...(check.address.family ? { family: check.address.family } : {}),
    timeoutMs: check.timeoutMs,
    maxInFlight: check.maxInFlight,
    pauseMs: refillPauseMs(check),
    phases: check.phases.map((p) => ({ offeredPerSecond: p.offeredPerSecond, durationMs: p.durationMs })),
  };
}

/** How long a check plan's agent may take at most: every phase, each last request's deadline, every pause. */
export function rateCheckPlanMs(plan: RateCheckPlanDocument): number {
  const phases = plan.phases.reduce((sum, p) => sum + p.durationMs + plan.timeoutMs, 0);
  return phases + plan.pauseMs * Math.max(0, plan.phases.length - 1);
}

/** A phase's measurement line from a check plan's agent: `phase` is its index in the plan. */
export interface RatePhaseLine extends RateMeasurement {
  readonly kind: 'RateMeasurement';
  readonly phase: number;
}

/**
 * Sends every phase of a check from where its source is and returns what each measured, in order (fewer
 * when cut short); never throws.
 */
export type CheckSender = (
  check: RateLimitCheck,
  signal: AbortSignal,
  progress: (message: string) => void,
) => Promise<RateMeasurement[]>;
