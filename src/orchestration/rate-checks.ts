// Runs one rate-limit check: each phase through the open-loop sender (from here, or from a lab pod:
// the caller's PhaseSender), a pause between phases for the limiter to refill, then the judgement
// (model/rate-judgement.ts).

import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config/config-error.ts';
import { judgeCheck, type RateCheckResult, type RateMeasurement } from '../model/rate-judgement.ts';
import { type RateLimitCheck, rateText, totalLimit } from '../model/rate-limit.ts';
import type { PhaseSender } from '../model/rate-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { sendAtRate } from '../probe/rate-sender.ts';

/** The shortest pause between two phases: a one-second window (HAProxy's `http_req_rate(1s)`) turns over. */
const MIN_PAUSE_MS = 2000;
/** The longest: a bucket refilling for longer than this is not waited for. */
const MAX_PAUSE_MS = 30_000;

/** `prober check`'s sender: the phase sent from this process. */
export const sendFromHere: PhaseSender = (check, phase, signal) =>
  sendAtRate({
    address: check.address,
    offeredPerSecond: phase.offeredPerSecond,
    durationMs: phase.durationMs,
    timeoutMs: check.timeoutMs,
    maxInFlight: check.maxInFlight,
    signal,
  });

/** How long to wait after a phase, so the next starts with the limiter refilled (its burst, then a window). */
function pauseAfterPhase(check: RateLimitCheck): number {
  const refillMs = (check.expect.burst / totalLimit(check.expect)) * 1000;
  return Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, Math.ceil(refillMs) + 1000));
}

/** What a rate-limit check runs with: the run's signal and progress, its sender, and the last rate check run. */
export interface RateCheckContext {
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
  readonly send: PhaseSender;
  /** The rate-limit check that ran last: two checks may share a limiter, so the next waits for it to refill too. */
  previous?: RateLimitCheck;
}

/**
 * Runs a check's phases in order and judges them; a check cut short by the signal is judged on the
 * phases it ran (the rest are undecided). Never throws for what the target does.
 */
export async function runRateCheck(check: RateLimitCheck, ctx: RateCheckContext): Promise<RateCheckResult> {
  const { signal, progress, send } = ctx;
  const measurements: RateMeasurement[] = [];
  for (const phase of check.phases) {
    if (signal.aborted) break;
    if (ctx.previous) await sleep(pauseAfterPhase(ctx.previous), undefined, { signal }).catch(() => {});
    ctx.previous = check;
    if (signal.aborted) break;
    progress(
      `check ${check.name}: ${rateText(phase.offeredPerSecond)} for ${phase.durationMs / 1000}s (${phase.label})`,
    );
    measurements.push(await send(check, phase, signal));
  }
  return judgeCheck(check, measurements);
}

/**
 * Refuses a test with checks where they cannot run: they are sent from where prober runs (`check`) or
 * from a lab pod (`lab test`), not yet from a cluster's workloads nor in a watch. One line, exit 2, nothing run.
 */
export function refuseChecks(test: ReachabilityTest, command: string): void {
  const check = test.checks?.[0];
  if (!check) return;
  throw new ConfigError(
    test.file,
    check.origin?.line,
    `spec.checks.${check.name}`,
    `${command} cannot run ${check.kind === 'rateLimit' ? 'rate-limit' : 'zone-affinity'} checks yet: run the test with prober check (local sources) or prober lab test`,
  );
}
