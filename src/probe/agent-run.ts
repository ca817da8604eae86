// Executes a probe plan and emits the agent's output lines: shared by one-shot and resident agents.

import { hostname } from 'node:os';
import type { AgentDoneLine, ProbePlan, ProbeResultLine } from '../model/plan.ts';
import { nowMs } from './clock.ts';
import { runPlan } from './engine.ts';

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
