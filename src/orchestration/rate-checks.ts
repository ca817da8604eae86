// Runs one rate-limit check: its phases through the caller's CheckSender (from here or a lab pod,
// phase by phase: phaseByPhase; from a cluster pod, one agent for all), a pause between phases and
// after the check before it for the limiter to refill, then the judgement (model/rate-judgement.ts).

import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config/config-error.ts';
import { judgeCheck, type RateCheckResult, type RateMeasurement } from '../model/rate-judgement.ts';
import { type RateLimitCheck, rateText } from '../model/rate-limit.ts';
import { type CheckSender, type PhaseSender, refillPauseMs } from '../model/rate-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { sendAtRate } from '../probe/rate-sender.ts';

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

/**
 * A check sender that sends each phase on its own through `send` (from here, or a sender started per
 * phase in a lab pod), pausing between two phases for the limiter to refill.
 */
export function phaseByPhase(send: PhaseSender): CheckSender {
  return async (check, signal, progress) => {
    const measurements: RateMeasurement[] = [];
    for (const [i, phase] of check.phases.entries()) {
      if (signal.aborted) break;
      if (i > 0) await sleep(refillPauseMs(check), undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      progress(
        `check ${check.name}: ${rateText(phase.offeredPerSecond)} for ${phase.durationMs / 1000}s (${phase.label})`,
      );
      measurements.push(await send(check, phase, signal));
    }
    return measurements;
  };
}

/** What a rate-limit check runs with: the run's signal and progress, its sender, and the last rate check run. */
export interface RateCheckContext {
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
  readonly send: CheckSender;
  /** The rate-limit check that ran last: two checks may share a limiter, so the next waits for it to refill too. */
  previous?: RateLimitCheck;
}

/**
 * Sends a check's phases and judges them; a check cut short by the signal is judged on the phases it
 * ran (the rest are undecided). Never throws for what the target does.
 */
export async function runRateCheck(check: RateLimitCheck, ctx: RateCheckContext): Promise<RateCheckResult> {
  const { signal, progress, send } = ctx;
  if (ctx.previous && !signal.aborted) await sleep(refillPauseMs(ctx.previous), undefined, { signal }).catch(() => {});
  const measurements = signal.aborted ? [] : await send(check, signal, progress);
  if (measurements.length > 0) ctx.previous = check;
  return judgeCheck(check, measurements);
}

/**
 * Refuses a test with checks where they cannot run: rate-limit checks are sent from where prober runs
 * (`check`), from a lab pod (`lab test`) or from a cluster's pod (`run`), never in a watch; zone-affinity
 * checks from the lab's pods only. One line, exit 2, nothing run.
 */
export function refuseChecks(test: ReachabilityTest, command: string, kinds?: readonly string[]): void {
  const check = test.checks?.find((c) => !kinds || kinds.includes(c.kind));
  if (!check) return;
  const where =
    check.kind === 'rateLimit' ? 'prober check (local sources), prober lab test or prober run' : 'prober lab test';
  throw new ConfigError(
    test.file,
    check.origin?.line,
    `spec.checks.${check.name}`,
    `${command} cannot run ${check.kind === 'rateLimit' ? 'rate-limit' : 'zone-affinity'} checks yet: run the test with ${where}`,
  );
}
