// Runs a test's rate-limit checks: each check's phases through the caller's CheckSender (from here or a
// lab pod, phase by phase; from a cluster pod, one agent for all), a pause between phases and between
// checks for the limiter to refill, then the judgement (model/rate-judgement.ts).

import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config/config-error.ts';
import { type CheckResult, judgeCheck, type RateMeasurement } from '../model/rate-judgement.ts';
import { type RateLimitCheck, rateText } from '../model/rate-limit.ts';
import { type CheckSender, type PhaseSender, refillPauseMs } from '../model/rate-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { sendAtRate } from '../probe/rate-sender.ts';

/** `prober check`'s sender: the phase sent from this process. */
const sendFromHere: PhaseSender = (check, phase, signal) =>
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
export function phaseByPhase(send: PhaseSender = sendFromHere): CheckSender {
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

/**
 * Runs every check of the test in order and judges each; a check cut short by `signal` is judged on
 * the phases it ran (the rest are undecided). Never throws for what the target does.
 */
export async function runRateChecks(
  test: ReachabilityTest,
  signal: AbortSignal,
  progress: (message: string) => void = () => {},
  send: CheckSender = phaseByPhase(),
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // The check that ran last: two checks may share a limiter, so the next waits for it to refill too.
  let previous: RateLimitCheck | undefined;
  for (const check of test.checks ?? []) {
    if (previous && !signal.aborted) await sleep(refillPauseMs(previous), undefined, { signal }).catch(() => {});
    const measurements = signal.aborted ? [] : await send(check, signal, progress);
    if (measurements.length > 0) previous = check;
    results.push(judgeCheck(check, measurements));
  }
  return results;
}

/**
 * Refuses a test with checks where they cannot run: they are sent from where prober runs (`check`),
 * from a lab pod (`lab test`) or from a cluster's pod (`run`), but not in a watch. One line, exit 2, nothing run.
 */
export function refuseChecks(test: ReachabilityTest, command: string): void {
  const check = test.checks?.[0];
  if (!check) return;
  throw new ConfigError(
    test.file,
    check.origin?.line,
    `spec.checks.${check.name}`,
    `${command} cannot run rate-limit checks yet: run the test with prober check (local sources), prober lab test or prober run`,
  );
}
