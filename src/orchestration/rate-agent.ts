// `prober agent`'s rate-limit senders: one phase (`--rate FILE`, what `lab test` starts per phase in a
// source pod's namespace) or every phase of a check (a RateCheckPlan in the agent's environment, what
// `prober run` puts in the source's pod), each printing one RateMeasurement line per phase.

import { setTimeout as sleep } from 'node:timers/promises';
import { parseRateCheckPlan, parseRatePlan } from '../config/load-rate-plan.ts';
import { readText } from '../config/read-input.ts';
import type { Io } from '../model/io.ts';
import { MAX_RATE_PLAN_BYTES, type RatePhaseLine } from '../model/rate-plan.ts';
import type { ExitCode } from '../model/report.ts';
import { withInterrupts } from './interrupts.ts';

const RATE_PLAN_LIMIT = { bytes: MAX_RATE_PLAN_BYTES, what: 'a rate plan' } as const;

/**
 * Sends one rate-limit phase from here (the lab starts it in the source pod's namespace) and prints its
 * measurement as one JSON line; SIGINT/SIGTERM cut the phase short, and the line says so (exit 2).
 */
export async function runRatePlan(file: string, io: Io): Promise<ExitCode> {
  const { origin, text } = await readText(file, RATE_PLAN_LIMIT, io);
  const { plan, address } = parseRatePlan(origin, text);
  // Loaded on use: a probe plan's agent never sends at a rate.
  const { sendAtRate } = await import('../probe/rate-sender.ts');
  const interrupted = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    const measurement = await sendAtRate({
      address,
      offeredPerSecond: plan.offeredPerSecond,
      durationMs: plan.durationMs,
      timeoutMs: plan.timeoutMs,
      maxInFlight: plan.maxInFlight,
      signal,
    });
    io.stdout.write(`${JSON.stringify({ kind: 'RateMeasurement', ...measurement })}\n`);
    return interruptedBy();
  });
  return interrupted ? 2 : 0;
}

/**
 * Sends every phase of a check, `pauseMs` apart, printing one RateMeasurement line per phase (with its
 * index) as each ends, then an AgentDone line. A probe pod's agent first waits for its sidecar proxy
 * (an AgentError line when it never gets ready). SIGINT/SIGTERM cut the phase short, and its line says
 * so; no later phase is sent (exit 2).
 */
export async function runRateCheckPlan(origin: string, text: string, io: Io): Promise<ExitCode> {
  const { plan, address, proxyReady } = parseRateCheckPlan(origin, text);
  const { sendAtRate } = await import('../probe/rate-sender.ts');
  const line = (value: object): void => void io.stdout.write(`${JSON.stringify(value)}\n`);
  const interrupted = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    const notReady = proxyReady
      ? await (await import('../probe/proxy-ready.ts')).waitForProxy(proxyReady, signal)
      : undefined;
    if (notReady) {
      line({ kind: 'AgentError', message: notReady });
      return true;
    }
    for (const [phase, { offeredPerSecond, durationMs }] of plan.phases.entries()) {
      if (phase > 0) await sleep(plan.pauseMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      const measurement = await sendAtRate({
        address,
        offeredPerSecond,
        durationMs,
        timeoutMs: plan.timeoutMs,
        maxInFlight: plan.maxInFlight,
        signal,
      });
      line({ kind: 'RateMeasurement', phase, ...measurement } satisfies RatePhaseLine);
    }
    if (!signal.aborted) line({ kind: 'AgentDone', source: plan.source, check: plan.check });
    return interruptedBy();
  });
  return interrupted ? 2 : 0;
}
