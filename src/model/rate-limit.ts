// A rate-limit check as a test states it (offered rate, duration, the limit it expects) and the
// phases it is run in; the bounds every check keeps, and how rates and tolerances are written.

import type { TargetAddress } from './target.ts';

/** The highest rate a check may offer: what one process can hold on loopback, with room to spare. */
export const MAX_RATE_PER_SECOND = 10_000;
/** The longest phase a check may run. */
export const MAX_PHASE_MS = 5 * 60_000;
/** The most requests one check may send over all its phases. */
const MAX_CHECK_REQUESTS = 1_000_000;
/** Requests a phase must send at least, or its judgement is noise. */
export const MIN_PHASE_REQUESTS = 20;
/** A phase's default length. */
export const DEFAULT_PHASE_MS = 5000;
/** The share of the limit a default judgement offers: well below it, then well above it. */
const DEFAULT_FACTORS: readonly number[] = [0.5, 2];
/** The default tolerance on the accepted rate. */
export const DEFAULT_TOLERANCE = 0.1;
/** The statuses a rejection is expected to carry by default. */
export const DEFAULT_REJECTED_WITH: readonly Rejection[] = [429];

/** How a rejection looks: an HTTP status, or a connection reset (a proxy that drops the request). */
export type Rejection = number | 'reset';

/** What the limiter is expected to do. */
export interface RateLimitExpectation {
  /** The limit per replica, in requests per second. */
  readonly limitPerSecond: number;
  /** The limit as written (`10/s`, `600/m`). */
  readonly limitText: string;
  /** Requests accepted at once on top of the rate (a token bucket's size beyond one). */
  readonly burst: number;
  /** How many independent buckets share the traffic (a local limit per proxy: one per replica). */
  readonly replicas: number;
  /** The accepted rate may differ from the limit by this share of it (0.1 for 10 %). */
  readonly tolerance: number;
  readonly rejectedWith: readonly Rejection[];
}

/** One phase of a check: an offered rate held for a while. */
export interface RatePhase {
  readonly offeredPerSecond: number;
  readonly durationMs: number;
  /** How the phase is named in reports: `2× the limit`, or the written rate. */
  readonly label: string;
}

/** A loaded rate-limit check. */
export interface RateLimitCheck {
  readonly kind: 'rateLimit';
  readonly name: string;
  /** The source it is sent from: where prober runs (`check`), or the source's lab pod (`lab test`). */
  readonly from: string;
  /** The target's name, as the test writes it. */
  readonly to: string;
  readonly address: TargetAddress;
  /** Each request's deadline. */
  readonly timeoutMs: number;
  /** How many requests may be in flight at once (the sockets the sender keeps). */
  readonly maxInFlight: number;
  readonly phases: readonly RatePhase[];
  readonly expect: RateLimitExpectation;
  readonly origin?: { readonly file: string; readonly line: number };
}

/** The limit over all replicas, in requests per second. */
export function totalLimit(expect: RateLimitExpectation): number {
  return expect.limitPerSecond * expect.replicas;
}

/** A rate as written: a number of requests per second (`/s`) or per minute (`/m`). */
export const RATE_PATTERN = '^(\\d+(\\.\\d+)?)/(s|m)$';

/** Requests per second of a written rate, or undefined when it is not one. */
export function parseRate(text: string): number | undefined {
  const match = new RegExp(RATE_PATTERN).exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[3] === 'm' ? value / 60 : value;
}

/** A tolerance as written: a percentage up to 100 (`10%`, `2.5%`). */
export const TOLERANCE_PATTERN = '^(\\d+(\\.\\d+)?)%$';

/** A written tolerance as a share (0.1 for `10%`), or undefined when it is not one. */
export function parseTolerance(text: string): number | undefined {
  const match = new RegExp(TOLERANCE_PATTERN).exec(text);
  if (!match) return undefined;
  const share = Number(match[1]) / 100;
  return share <= 1 ? share : undefined;
}

/** `12.5/s`: a rate for people, at most one decimal. */
export function rateText(perSecond: number): string {
  return `${Math.round(perSecond * 10) / 10}/s`;
}

/**
 * The phases of the default judgement: the limit over all replicas times each factor (0.5×, then 2×),
 * each for `durationMs`. Below the limit comes first, so a bucket starts the phase above it full.
 */
export function defaultPhases(expect: RateLimitExpectation, durationMs: number): RatePhase[] {
  return DEFAULT_FACTORS.map((factor) => ({
    offeredPerSecond: totalLimit(expect) * factor,
    durationMs,
    label: `${factor}× the limit`,
  }));
}

/** Requests a phase schedules. */
export function scheduledRequests(phase: Pick<RatePhase, 'offeredPerSecond' | 'durationMs'>): number {
  return Math.floor((phase.offeredPerSecond * phase.durationMs) / 1000);
}

/**
 * Why phases cannot be run as written (a rate past the maximum, too few or too many requests), or
 * undefined when they can.
 */
export function phaseProblem(phases: readonly RatePhase[]): string | undefined {
  let total = 0;
  for (const phase of phases) {
    if (phase.offeredPerSecond > MAX_RATE_PER_SECOND)
      return `offers ${rateText(phase.offeredPerSecond)} (${phase.label}), more than the ${MAX_RATE_PER_SECOND}/s one check may send`;
    const requests = scheduledRequests(phase);
    if (requests < MIN_PHASE_REQUESTS)
      return `sends only ${requests} requests at ${rateText(phase.offeredPerSecond)} (${phase.label}); at least ${MIN_PHASE_REQUESTS} are needed to judge (offer more, or for longer)`;
    total += requests;
  }
  if (total > MAX_CHECK_REQUESTS)
    return `sends ${total} requests in all, more than the ${MAX_CHECK_REQUESTS} one check may send (offer less, or for less long)`;
  return undefined;
}
