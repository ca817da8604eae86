// Running one source's agent in the cluster — as an ephemeral container or a probe pod — and reading its results.

import type { V1Pod } from '@kubernetes/client-node';
import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import { type AgentContext, type RawRun, runInEphemeral, runInProbePod } from './agent-containers.ts';
import { collectLog, logSizeWarning } from './agent-log.ts';
import { agentContainerName } from './agent-spec.ts';

/**
 * How agents are started: inside the source pod, in a pod beside it, or `auto` (default): inside where
 * the pod's memory limit has room for the agent (agent-memory.ts), else beside it; `resident`: inside,
 * the plan exec'd into one idle container kept per pod lifetime (resident-agent.ts).
 */
export type AgentMode = 'auto' | 'ephemeral' | 'pod' | 'resident';

/** One source's agent run: its results, or why there are none; `pod` is where the agent ran. */
export type AgentRun = (
  | { readonly pod?: string; readonly results: Map<string, ProbeResult> }
  | { readonly pod?: string; readonly error: string }
) & {
  /** What the run left in the cluster for good (an ephemeral container), for the report. */
  readonly left?: string;
  /** How the agent ran, and why that way: for the report. */
  readonly agent?: 'ephemeral' | 'pod';
  readonly agentReason?: string;
  /** The agent probed from its node's network (a hostNetwork source): the mismatch causes take it as evidence. */
  readonly hostNetwork?: boolean;
};

/**
 * Adds the agent as an ephemeral container to the source pod, so it probes with the pod's own network
 * identity, then waits for it and reads its results (agent-containers.ts).
 */
export async function runEphemeralAgent(
  ctx: AgentContext,
  source: V1Pod,
  plan: ProbePlan,
  ordinal: number,
): Promise<AgentRun> {
  warnOfLogSize(ctx, plan);
  return collected(plan, await runInEphemeral(ctx, source, plan, agentContainerName(ctx.runId, ordinal)));
}

/** Runs the plan in a probe pod beside the source (agent-containers.ts) and reads its results. */
export async function runPodAgent(
  ctx: AgentContext,
  source: V1Pod,
  sourceName: string,
  plan: ProbePlan,
): Promise<AgentRun> {
  warnOfLogSize(ctx, plan);
  return collected(plan, await runInProbePod(ctx, source, sourceName, plan, plan.probes.length));
}

/** The results in a run's log (agent-log.ts), or why there are none. */
function collected(plan: ProbePlan, run: RawRun): AgentRun {
  const left = run.left ? { left: run.left } : {};
  if ('error' in run) return { ...(run.pod ? { pod: run.pod } : {}), error: run.error, ...left };
  return { pod: run.pod, ...collectLog(run.log, plan, run.outcome), ...left };
}

/** Says when the agent's output may outgrow one container log file (its first results would be lost). */
function warnOfLogSize(ctx: AgentContext, plan: ProbePlan): void {
  const warning = logSizeWarning(plan);
  if (warning) ctx.warn?.(warning);
}
