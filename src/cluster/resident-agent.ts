// Resident agents: one idle ephemeral container per source pod lifetime (`prober agent --resident`), into
// which every run execs its plan through the API server (`pods/exec`, exec-stream.ts). Ephemeral
// containers can never be removed, so a watch that ran one-shot agents would add one per run for good.

import type { V1ContainerStatus, V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { type ProbePlan, parseAgentOutput } from '../model/plan.ts';
import { waitFor } from '../model/wait.ts';
import type { AgentContext } from './agent-containers.ts';
import { collectLog } from './agent-log.ts';
import { agentBase } from './agent-spec.ts';
import { type AgentRun, runEphemeralAgent } from './agents.ts';
import { KubeApiError } from './api-error.ts';
import type { ExecOutcome } from './exec-stream.ts';
import { TRANSPORT_LIMITS } from './transport.ts';

/** The resident agent's container name: one per pod, found again by it in every run. */
export const RESIDENT_CONTAINER = 'prober-resident';

/** The environment variable naming the pod UID the resident agent was added to (what it belongs to). */
export const RESIDENT_POD_UID_ENV = 'PROBER_RESIDENT_POD_UID';

/** What a run execs in the resident agent: the plan as one line on stdin, results on stdout. */
const PLAN_LINE_COMMAND = ['prober', 'agent', '--plan-line'] as const;

/** The resident container: `prober agent --resident`, which only waits for SIGTERM (no socket, no network). */
function residentContainer(image: string, podUid: string): V1EphemeralContainer {
  return {
    ...agentBase(RESIDENT_CONTAINER, image, { name: RESIDENT_POD_UID_ENV, value: podUid }),
    command: ['prober', 'agent', '--resident'],
  };
}

/** What resident agents need: an agent context without a run's signal (each run brings its own). */
export interface ResidentOptions extends Omit<AgentContext, 'signal'> {
  /** The most stdout bytes read from one exec (default: 32 MiB, the bound of one API answer). */
  readonly maxOutputBytes?: number;
  /**
   * Whether a pod whose resident agent is dead or of another image is probed once by a one-shot ephemeral
   * agent (default) or not at all: the source's error says why and what to do (a watch must not add a
   * container to the pod every interval).
   */
  readonly oneShotFallback?: boolean;
}

/** The resident agents of a cluster: `run` gives one run's results from one source pod. */
export interface ResidentAgents {
  /** Runs `plan` in `source`'s resident agent (added if the pod has none); never throws but for a fatal API error. */
  run(source: V1Pod, plan: ProbePlan, signal: AbortSignal, ordinal?: number): Promise<AgentRun>;
}

const stateOf = (pod: V1Pod): V1ContainerStatus | undefined =>
  pod.status?.ephemeralContainerStatuses?.find((s) => s.name === RESIDENT_CONTAINER);

/** Why a resident container will never serve again, or undefined while it runs or may still start. */
function deadReason(status: V1ContainerStatus | undefined): string | undefined {
  const terminated = status?.state?.terminated;
  if (terminated)
    return `terminated (${terminated.reason ?? 'exit'}, exit code ${terminated.exitCode}${terminated.message ? `: ${terminated.message.trim().split('\n').pop()?.slice(0, 200)}` : ''})`;
  const waiting = status?.state?.waiting?.reason;
  if (waiting && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing')
    return `could not start (${waiting}${status?.state?.waiting?.message ? `: ${status.state.waiting.message}` : ''})`;
  return undefined;
}

/** What became of an exec, as a run's results or its one error. */
function fromExec(outcome: ExecOutcome, plan: ProbePlan, pod: string, maxBytes: number): AgentRun {
  if (outcome.kind === 'exited')
    return {
      pod,
      ...collectLog(outcome.stdout, plan, {
        kind: 'terminated',
        exitCode: outcome.exitCode,
        reason: '',
        message: outcome.stderr,
      }),
    };
  if (outcome.kind === 'failed') return { pod, error: `the exec into the resident agent failed: ${outcome.message}` };
  const arrived = parseAgentOutput(outcome.stdout).results.size;
  switch (outcome.why) {
    case 'too-large':
      return {
        pod,
        error: `the resident agent's output passed the ${maxBytes >= 2 ** 20 ? `${maxBytes / 2 ** 20} MiB` : `${maxBytes} bytes`} prober reads from one exec (${arrived} of ${plan.probes.length} results had arrived): the exec was cut and its results are not trusted; split the test's targets`,
      };
    case 'deadline':
      return {
        pod,
        error: `the resident agent did not finish in time (--agent-timeout; ${arrived} of ${plan.probes.length} results had arrived)`,
      };
    case 'aborted':
      return {
        pod,
        error: `interrupted while the resident agent ran (${arrived} of ${plan.probes.length} results had arrived)`,
      };
    default:
      return {
        pod,
        error: `the connection of the exec closed before the agent's exit status (${arrived} of ${plan.probes.length} results had arrived)`,
      };
  }
}

/**
 * Resident agents over `ctx.api`. A source pod's `prober-resident` container is reused while it runs; a
 * replaced pod (new UID) has none and gets its own; one that terminated (OOMKilled, crashed) can never be
 * restarted — ephemeral containers never are — so that run says so and falls back to a one-shot agent.
 */
export function residentAgents(ctx: ResidentOptions): ResidentAgents {
  const maxBytes = ctx.maxOutputBytes ?? TRANSPORT_LIMITS.maxAnswerBytes;

  /** The pod with its resident agent running, or why there is none. */
  async function ensure(
    source: V1Pod,
    plan: ProbePlan,
    signal: AbortSignal,
  ): Promise<{ pod: V1Pod; added: boolean } | { dead: string } | { error: string }> {
    const namespace = source.metadata?.namespace ?? 'default';
    const name = source.metadata?.name ?? '';
    let pod = await ctx.api.readPod(namespace, name);
    if (source.metadata?.uid && pod.metadata?.uid !== source.metadata.uid)
      return { error: `pod ${namespace}/${name} was replaced (its UID changed) since it was picked` };
    const resident = pod.spec?.ephemeralContainers?.find((c) => c.name === RESIDENT_CONTAINER);
    const present = resident !== undefined;
    const dead = deadReason(stateOf(pod));
    if (present && dead) return { dead };
    // Another prober version's agent may not read this one's plan; its image cannot be changed either.
    if (resident && resident.image !== ctx.image)
      return { dead: `runs image ${resident.image}, not this run's ${ctx.image}` };
    const added = !present;
    if (added) {
      pod = await ctx.api.addEphemeralContainer(namespace, name, residentContainer(ctx.image, pod.metadata?.uid ?? ''));
      ctx.progress(`${plan.source}: resident agent ${RESIDENT_CONTAINER} added to ${namespace}/${name}`);
    }
    const waited = await waitFor(
      async () => {
        const now = await ctx.api.readPod(namespace, name);
        const reason = deadReason(stateOf(now));
        if (reason) return { dead: reason };
        return stateOf(now)?.state?.running ? now : undefined;
      },
      { deadlineMs: ctx.timeoutMs, intervalMs: { initialMs: 100, factor: 1.5, maxMs: 1000 }, signal },
    );
    if (waited.ok) return 'dead' in waited.value ? waited.value : { pod: waited.value, added };
    return {
      error:
        waited.reason === 'aborted'
          ? 'interrupted while the resident agent started'
          : 'the resident agent did not start in time (--agent-timeout)',
    };
  }

  /** Pods whose resident agent is being made ready now: sources of one run that share a pod add it once. */
  const starting = new Map<string, ReturnType<typeof ensure>>();
  const ready = (source: V1Pod, plan: ProbePlan, signal: AbortSignal): ReturnType<typeof ensure> => {
    const key = `${source.metadata?.namespace}/${source.metadata?.name}/${source.metadata?.uid}`;
    const pending = starting.get(key) ?? ensure(source, plan, signal).finally(() => starting.delete(key));
    starting.set(key, pending);
    return pending;
  };

  return {
    async run(source, plan, signal, ordinal = 0) {
      const namespace = source.metadata?.namespace ?? 'default';
      const name = source.metadata?.name ?? '';
      const fallback = async (why: string): Promise<AgentRun> => {
        if (ctx.oneShotFallback === false)
          return {
            pod: name,
            error: `the resident agent ${RESIDENT_CONTAINER} in ${namespace}/${name} ${why}, and an ephemeral container is never restarted nor removed: not probed, rather than adding a one-shot container to the pod at every run (replace the pod for a new resident agent)`,
          };
        ctx.warn?.(
          `${plan.source}: the resident agent ${RESIDENT_CONTAINER} in ${namespace}/${name} ${why}, and an ephemeral container is never restarted: this run uses a one-shot agent instead (replace the pod for a new resident agent, or run with --agent=pod)`,
        );
        const run = await runEphemeralAgent({ ...ctx, signal }, source, plan, ordinal);
        return { ...run, agentReason: `a one-shot agent: the resident agent ${why}` };
      };
      try {
        const agent = await ready(source, plan, signal);
        if ('dead' in agent) return await fallback(agent.dead);
        if ('error' in agent) return { pod: name, error: agent.error };
        const outcome = await ctx.api.execInContainer({
          namespace,
          pod: name,
          container: RESIDENT_CONTAINER,
          command: PLAN_LINE_COMMAND,
          stdin: `${JSON.stringify(plan)}\n`,
          deadlineMs: ctx.timeoutMs,
          maxStdoutBytes: maxBytes,
          signal,
        });
        const left = agent.added
          ? `ephemeral container ${RESIDENT_CONTAINER} in ${namespace}/${name}: the resident agent, idle between runs and reused by every run until the pod is replaced`
          : `nothing new: the resident agent ${RESIDENT_CONTAINER} in ${namespace}/${name} was reused`;
        return {
          ...fromExec(outcome, plan, name, maxBytes),
          left,
          agent: 'ephemeral',
          agentReason: `resident agent ${RESIDENT_CONTAINER}, plan over pods/exec (${outcome.protocol})`,
        };
      } catch (error) {
        // The kubelet finds running containers only: one that died since it was read is "not found".
        if (error instanceof KubeApiError && /container not found/.test(error.message))
          return fallback('stopped running');
        if (error instanceof KubeApiError && error.fatal) throw error;
        return { pod: name, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
