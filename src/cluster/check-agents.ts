// The cluster transport of a test's checks (beyond the matrix): one agent per check, started in the
// check's source pod (an ephemeral container) or beside it (a probe pod), its plan — any JSON object with
// a `kind` the agent knows — in its environment, and its output lines read back from the container log
// through the API, never over the network under test (trust rule 1). What the lines mean is the check
// kind's business (cluster-rates.ts for rate limits).

import type { V1Pod } from '@kubernetes/client-node';
import type { SourceSpec } from '../model/test-spec.ts';
import { chooseAgent } from './agent-choice.ts';
import { type AgentContext, runInEphemeral, runInProbePod } from './agent-containers.ts';
import { agentContainerName } from './agent-spec.ts';
import type { AgentMode } from './agents.ts';
import type { ProbePodTracker } from './cleanup.ts';
import { pickSourcePod } from './discovery.ts';
import type { KubeApi } from './kube-api.ts';
import type { AgentPlan } from './plan-env.ts';
import type { AgentResources } from './probe-pod-resources.ts';

/** The most log a check's agent may leave: a few measurement lines (about 1 KiB each) and some errors. */
const MAX_CHECK_LOG_BYTES = 256 * 1024;
/** The time an agent gets beyond its plan: the image pull and the container's start. */
const START_MS = 60_000;

/** What every check agent of a run shares. */
export interface CheckAgentEnv {
  readonly api: KubeApi;
  readonly runId: string;
  readonly image: string;
  readonly agent: AgentMode;
  /** Namespace for sources that name none. */
  readonly namespace: string;
  readonly tracker: ProbePodTracker;
  /** A fixed deadline per agent (--agent-timeout); unset: the plan's own length plus a minute. */
  readonly agentTimeoutMs?: number;
  readonly imagePlatforms?: readonly string[];
  readonly agentResources?: Partial<AgentResources>;
  readonly warn?: (message: string) => void;
}

/** One check's agent: what it runs, where from, and for how long at most. */
export interface CheckAgentJob {
  readonly source: SourceSpec;
  /** The check's place among the test's checks: it names the agent's container (`prober-<run>-c<n>`). */
  readonly ordinal: number;
  readonly plan: AgentPlan;
  /** How long the plan runs at most, once started. */
  readonly runMs: number;
  /** The agent's memory need, in probes' worth (agent-memory.ts). */
  readonly weight: number;
}

/** What the agent printed (each line that is a JSON object), whether it finished, and where it ran. */
export type CheckAgentRun =
  | { readonly pod: string; readonly lines: readonly Record<string, unknown>[]; readonly done: boolean }
  | { readonly pod?: string; readonly error: string };

/**
 * Runs the job's plan in a pod of the source (the Ready one with the fewest prober containers), waits
 * for it to end and reads its log; never throws but for a fatal API error (an unreachable server,
 * rejected credentials).
 */
export async function runCheckAgent(
  env: CheckAgentEnv,
  job: CheckAgentJob,
  signal: AbortSignal,
  progress: (message: string) => void,
): Promise<CheckAgentRun> {
  const namespace = job.source.namespace ?? env.namespace;
  const pick = await pickSourcePod(env.api, namespace, job.source.selector);
  if ('error' in pick) return { error: pick.error };
  return runCheckAgentIn(env, job, pick.pod, signal, progress);
}

/**
 * Runs the job's plan in this pod of the source (or a probe pod beside it: with `pinned`, on the
 * pod's own node), waits for it to end and reads its log. `instance` tells apart the probe pods of
 * one check that runs from several pods. Never throws but for a fatal API error.
 */
export async function runCheckAgentIn(
  env: CheckAgentEnv,
  job: CheckAgentJob,
  pod: V1Pod,
  signal: AbortSignal,
  progress: (message: string) => void,
  placement: { readonly pinned?: boolean; readonly instance?: number } = {},
): Promise<CheckAgentRun> {
  const { source, plan } = job;
  const name = pod.metadata?.name ?? '?';
  const choice = await chooseAgent({
    api: env.api,
    mode: env.agent,
    source: source.name,
    pod,
    probes: job.weight,
    ...(env.imagePlatforms ? { platforms: env.imagePlatforms } : {}),
    ...(env.warn ? { warn: env.warn } : {}),
  });
  if ('error' in choice) return { pod: name, error: choice.error };
  const node = placement.pinned ? pod.spec?.nodeName : undefined;
  const ctx: AgentContext = {
    api: env.api,
    runId: env.runId,
    image: env.image,
    timeoutMs: env.agentTimeoutMs ?? job.runMs + START_MS,
    signal,
    tracker: env.tracker,
    progress,
    ...(env.warn ? { warn: env.warn } : {}),
    ...(choice.nodeSelector ? { nodeSelector: choice.nodeSelector } : {}),
    ...(node ? { node } : {}),
    ...(env.agentResources ? { agentResources: env.agentResources } : {}),
  };
  progress(
    `${plan.kind} from ${source.name}: ${choice.agent === 'pod' ? 'a probe pod beside' : 'inside'} ${name} (${choice.agentReason})`,
  );
  const probePodSource =
    placement.instance === undefined
      ? `${source.name}-c${job.ordinal}`
      : `c${job.ordinal}-${placement.instance}-${source.name}`;
  const run =
    choice.agent === 'pod'
      ? await runInProbePod(ctx, pod, probePodSource, plan, job.weight)
      : await runInEphemeral(ctx, pod, plan, agentContainerName(env.runId, `c${job.ordinal}`));
  if ('error' in run) return { pod: run.pod ?? name, error: run.error };
  return linesOf(run.pod, run.log, run.outcome.exitCode);
}

/** The JSON object lines of a log, or why they cannot be trusted (too long a log, the agent's own error). */
function linesOf(pod: string, log: string, exitCode: number): CheckAgentRun {
  if (Buffer.byteLength(log) > MAX_CHECK_LOG_BYTES)
    return { pod, error: `the agent's log is larger than ${MAX_CHECK_LOG_BYTES / 1024} KiB: not read` };
  const lines: Record<string, unknown>[] = [];
  let done = false;
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const record = value as Record<string, unknown>;
    if (record.kind === 'AgentError')
      return { pod, error: String(record.message ?? 'the agent gave up').slice(0, 500) };
    if (record.kind === 'AgentDone') done = true;
    else lines.push(record);
  }
  if (!done && lines.length === 0) {
    const said = log.trim().split('\n').pop()?.slice(0, 300);
    return { pod, error: `the agent ended (exit code ${exitCode}) without a result${said ? `: ${said}` : ''}` };
  }
  return { pod, lines, done };
}
