// Executes a probe plan and emits the agent's output lines: shared by one-shot and resident agents.

import { hostname } from 'node:os';
import type { AgentDoneLine, ProbePlan, ProbeResultLine } from '../model/plan.ts';
import { nowMs } from './clock.ts';
import { runPlan } from './engine.ts';

/** A line writer that gathers the lines of one event-loop turn into one write. */
export interface LineBatch {
  /** Queues `line` as JSON text; the turn's lines go out together once the turn's I/O was polled. */
  write(line: object): void;
  /** Writes what is queued now: before the run reports it is done, so no line is left behind. */
  flush(): void;
}

/**
 * One write per event-loop turn instead of one per line: the agent's stdout is a pipe, written
 * synchronously, and 20,000 results cost 20,000 write calls, most of the agent's time on open-TCP probes.
 * Lines still go out as their turn ends (setImmediate runs after the poll phase that landed them), so
 * an orchestrator reading the stream sees each result about as soon as before.
 */
export function lineBatch(send: (text: string) => void): LineBatch {
  let queued = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (queued === '') return;
    const text = queued;
    queued = '';
    send(text);
  };
  return {
    write(line) {
      queued += `${JSON.stringify(line)}\n`;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/**
 * Runs every probe of `plan`, writing one ProbeResult line per probe as it lands, then AgentDone. When
 * `signal` aborts, the probes not done are written at once as error/interrupted, so the output stays complete.
 */
export async function executePlan(
  plan: ProbePlan,
  write: (line: ProbeResultLine | AgentDoneLine) => void,
  signal?: AbortSignal,
): Promise<void> {
  const started = nowMs();
  await runPlan(plan, (id, result) => write({ kind: 'ProbeResult', id, ...result }), signal);
  write({
    kind: 'AgentDone',
    source: plan.source,
    probes: plan.probes.length,
    durationMs: Math.round(nowMs() - started),
    hostname: hostname(),
    maxRssKb: process.resourceUsage().maxRSS,
  });
}
