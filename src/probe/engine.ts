// The probe engine: one URL → one classified result, with bounded retries; a whole plan with bounded concurrency.

import { setMaxListeners } from 'node:events';
import type { ProbeResult, Verdict } from '../model/outcome.ts';
import type { PlannedProbe, ProbePlan } from '../model/plan.ts';
import { runBounded } from '../model/pool.ts';
import { parseTarget, type TargetAddress } from '../model/target.ts';
import { retry } from '../model/wait.ts';
import type { Attempt } from './classify.ts';
import { nowMs } from './clock.ts';
import { type AttemptOptions, PROBERS } from './probers.ts';

/** Everything one probe needs: one attempt's options, and how many attempts with what expectation. */
export interface ProbeOptions extends AttemptOptions {
  readonly attempts: number;
  readonly expect?: Verdict | undefined;
  /** Base delay between attempts; doubles each time, capped at one second. */
  readonly backoffMs?: number;
}

/**
 * One attempt against a parsed address, by its scheme's prober (`PROBERS`, which loads each protocol
 * module on first use). Not async: a TCP probe pays no extra promise on its way.
 */
export function attemptOnce(address: TargetAddress, options: ProbeOptions): Promise<Attempt> {
  const prober = Object.hasOwn(PROBERS, address.scheme) ? PROBERS[address.scheme] : undefined;
  if (prober) return prober(address, options);
  // Defensive: an address built by hand with a scheme no table knows.
  return Promise.resolve({ observed: 'error', reason: 'bad-target', detail: `unsupported scheme ${address.scheme}` });
}

/**
 * A retry helps only when the attempt may be wrong about the cell: an error, or a deny where an allow
 * (or nothing) was expected. An allow is proof and is never retried; a deny that matches its expectation is kept.
 */
function worthRetrying(attempt: Attempt, expect: Verdict | undefined): boolean {
  if (attempt.observed === 'allow') return false;
  if (attempt.observed === 'error') return attempt.reason !== 'bad-target';
  return expect !== 'deny';
}

/**
 * Probes a URL with retries and backoff. Never throws: every failure is a classified result. When
 * `options.signal` aborts, the attempt in flight or the backoff wait ends at once and the result is
 * `error/interrupted` — a retry was still due, so the last attempt's outcome is not trusted as final.
 */
export function probeUrl(url: string, options: ProbeOptions): Promise<ProbeResult> {
  const parsed = parseTarget(url);
  if (!parsed.ok)
    return Promise.resolve({
      url,
      observed: 'error',
      reason: 'bad-target',
      latencyMs: 0,
      attempts: 0,
      detail: parsed.error,
    });
  const address = options.family ? { ...parsed.value, family: options.family } : parsed.value;
  // One attempt and no retry to plan: what retry() would return, without its bookkeeping (or an async
  // frame) on every probe.
  if (options.attempts <= 1 && !options.signal?.aborted)
    return timedAttempt(address, options).then(({ attempt, latencyMs }) => ({
      url: address.url,
      ...attempt,
      latencyMs,
      attempts: 1,
    }));
  return probeWithRetries(address, options);
}

/** probeUrl with retries and backoff, or an abort before the first attempt. */
async function probeWithRetries(address: TargetAddress, options: ProbeOptions): Promise<ProbeResult> {
  const maxAttempts = Math.max(1, options.attempts);
  const result = await retry(() => timedAttempt(address, options), {
    attempts: maxAttempts,
    backoff: { initialMs: options.backoffMs ?? 100, maxMs: 1000 },
    // An attempt that saw the abort is final: its own `interrupted` result says what happened.
    retryValue: ({ attempt }) => attempt.reason !== 'interrupted' && worthRetrying(attempt, options.expect),
    signal: options.signal,
  });
  if (result.ok)
    return { url: address.url, ...result.value.attempt, latencyMs: result.value.latencyMs, attempts: result.attempts };
  // timedAttempt never throws, so the last outcome, when there is one, is a value.
  const last = result.last && 'value' in result.last ? result.last.value : undefined;
  return interruptedResult(
    address.url,
    result.attempts,
    maxAttempts,
    last?.attempt ?? { observed: 'error', reason: 'internal' },
    last?.latencyMs ?? 0,
  );
}

/** One attempt with its latency (rounded to 0.1 ms). Never rejects: a probe classifies every failure. */
function timedAttempt(address: TargetAddress, options: ProbeOptions): Promise<{ attempt: Attempt; latencyMs: number }> {
  const started = nowMs();
  const timed = (attempt: Attempt) => ({ attempt, latencyMs: Math.round((nowMs() - started) * 10) / 10 });
  // Defensive: attempts classify their own failures, but a probe must never throw.
  const internal = (error: unknown) =>
    timed({ observed: 'error', reason: 'internal', detail: error instanceof Error ? error.message : String(error) });
  try {
    return attemptOnce(address, options).then(timed, internal);
  } catch (error) {
    return Promise.resolve(internal(error));
  }
}

/** The result of a probe stopped between attempts (or before its first): what was seen so far, as an error. */
function interruptedResult(
  url: string,
  made: number,
  maxAttempts: number,
  last: Attempt,
  latencyMs: number,
): ProbeResult {
  const detail =
    made === 0
      ? 'interrupted before it was probed'
      : `interrupted before attempt ${made + 1} of ${maxAttempts} (attempt ${made}: ${last.observed}/${last.reason})`;
  return { url, observed: 'error', reason: 'interrupted', latencyMs, attempts: made, detail };
}

/** Options of a planned probe, with the plan's defaults filled in. */
function optionsFor(probe: PlannedProbe, defaults: ProbePlan['defaults'], signal?: AbortSignal): ProbeOptions {
  return {
    timeoutMs: probe.timeoutMs ?? defaults.timeoutMs,
    attempts: probe.attempts ?? defaults.attempts,
    settleMs: probe.settleMs ?? defaults.settleMs,
    expect: probe.expect,
    expectStatus: probe.expectStatus,
    denyStatus: probe.denyStatus,
    family: probe.family,
    payloadHex: probe.payloadHex,
    signal,
  };
}

/** True when `probe` sets none of its own options: the plan's defaults are its options. */
function usesDefaults(probe: PlannedProbe): boolean {
  return (
    probe.timeoutMs === undefined &&
    probe.attempts === undefined &&
    probe.settleMs === undefined &&
    probe.expect === undefined &&
    probe.expectStatus === undefined &&
    probe.denyStatus === undefined &&
    probe.family === undefined &&
    probe.payloadHex === undefined
  );
}

/**
 * Runs every probe of a plan, at most `defaults.concurrency` at a time, reporting each result as it
 * lands. Once `signal` aborts, probes in flight end at once and queued ones are reported without being
 * started, all as `error/interrupted`; results already reported stand.
 */
export async function runPlan(
  plan: ProbePlan,
  onResult: (id: string, result: ProbeResult) => void,
  signal?: AbortSignal,
): Promise<void> {
  // Every attempt in flight listens on the signal: a signal of the plan's own, so thousands of
  // listeners neither trip Node's leak warning on the caller's signal nor have to be removed from it.
  const planSignal = signal ? AbortSignal.any([signal]) : undefined;
  if (planSignal) setMaxListeners(0, planSignal);
  // Probes without options of their own (most of a plan) share one options object.
  const defaults = optionsFor({ id: '', url: '' }, plan.defaults, planSignal);
  await runBounded(plan.probes, plan.defaults.concurrency, (probe) =>
    probeUrl(probe.url, usesDefaults(probe) ? defaults : optionsFor(probe, plan.defaults, planSignal)).then((result) =>
      onResult(probe.id, result),
    ),
  );
}
