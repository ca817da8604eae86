// Running an agent plan in the cluster — in an ephemeral container of the source pod or in a probe pod
// beside it — and reading its container log through the API: whatever the plan (probes, a rate-limit
// check), the plan goes in through the environment and the output comes back as the log.

import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { ephemeralAgent } from './agent-spec.ts';
import { type ContainerOutcome, waitForContainer } from './agent-wait.ts';
import { KubeApiError } from './api-error.ts';
import type { ProbePodTracker } from './cleanup.ts';
import type { KubeApi } from './kube-api.ts';
import { sidecarOf } from './mesh-membership.ts';
import { blockedBudgets } from './pdb-check.ts';
import type { AgentPlan } from './plan-env.ts';
import { leftBehind, podRoom, proberContainers } from './pod-budget.ts';
import { probePod } from './probe-pod.ts';
import { type AgentResources, agentResources, resourceRequirements } from './probe-pod-resources.ts';

/** What every agent run needs. */
export interface AgentContext {
  readonly api: KubeApi;
  readonly runId: string;
  readonly image: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly tracker: ProbePodTracker;
  readonly progress: (message: string) => void;
  /** Where warnings go (stderr in the CLI). */
  readonly warn?: (message: string) => void;
  /** Nodes a probe pod must run on: those of the agent image's platform (`kubernetes.io/os`, `/arch`). */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** The one node a probe pod must run on: its source pod's, where the node matters (a zone-affinity check). */
  readonly node?: string;
  /** The probe pod agent's requests and limits as the flags set them; unset: fitted to the LimitRanges. */
  readonly agentResources?: Partial<AgentResources>;
}

/** An agent's run: its log once it terminated, or why there is none; `pod` is where it ran. */
export type RawRun = (
  | { readonly pod: string; readonly outcome: ContainerOutcome & { kind: 'terminated' }; readonly log: string }
  | { readonly pod?: string; readonly error: string }
) & {
  /** What the run left in the cluster for good (an ephemeral container), for the report. */
  readonly left?: string;
};

/** Reads the log of an agent that terminated; one that never will is a failed run. */
async function readLog(
  ctx: AgentContext,
  namespace: string,
  pod: string,
  container: string,
  outcome: ContainerOutcome,
): Promise<RawRun> {
  if (outcome.kind === 'failed') return { pod, error: outcome.reason };
  return { pod, outcome, log: await ctx.api.readPodLog(namespace, pod, container) };
}

function failure(pod: string | undefined, error: unknown, hint = ''): RawRun {
  if (error instanceof KubeApiError && error.fatal) throw error;
  const message = error instanceof Error ? error.message : String(error);
  return { ...(pod ? { pod } : {}), error: `${message}${hint}` };
}

/**
 * Adds the agent as an ephemeral container to the source pod, so it probes with the pod's own network
 * identity, then waits for it and reads its log. Ephemeral containers cannot be removed: the stopped
 * container stays in the pod's spec until the pod is replaced.
 */
export async function runInEphemeral(
  ctx: AgentContext,
  source: V1Pod,
  plan: AgentPlan,
  container: string,
): Promise<RawRun> {
  const namespace = source.metadata?.namespace ?? 'default';
  const pod = source.metadata?.name ?? '';
  let agent: V1EphemeralContainer;
  try {
    agent = ephemeralAgent(container, ctx.image, plan);
  } catch (error) {
    return failure(pod, error);
  }
  // Every agent stays in the pod's spec for good: stop before the object nears etcd's size limit.
  const room = podRoom(source, agent);
  if (room.error) return { pod, error: room.error };
  if (room.warning) ctx.warn?.(`${plan.source}: ${room.warning}`);
  let patched: V1Pod;
  try {
    patched = await ctx.api.addEphemeralContainer(namespace, pod, agent);
  } catch (error) {
    const hint =
      error instanceof KubeApiError && error.code === 403
        ? '; or, if prober may create pods there, run with --agent=pod'
        : error instanceof KubeApiError && error.code === 404
          ? ' (this cluster may not serve ephemeral containers; run with --agent=pod)'
          : error instanceof KubeApiError && error.tooLarge
            ? ` (the pod object is at the API server's size limit and cannot grow: run with --agent=pod)`
            : '';
    return failure(pod, error, hint);
  }
  ctx.progress(`${plan.source}: agent started in ${namespace}/${pod}`);
  // Counted in the pod as patched: another source of this run may have added its agent too.
  const left = leftBehind(source, container, Math.max(proberContainers(patched), proberContainers(source) + 1));
  ctx.progress(`${plan.source}: left ${left}`);
  const run = await waitAndRead(ctx, namespace, pod, container, plan);
  return { ...run, left };
}

/** Waits for the ephemeral agent and reads its log; never throws but for a fatal API error. */
async function waitAndRead(
  ctx: AgentContext,
  namespace: string,
  pod: string,
  container: string,
  plan: AgentPlan,
): Promise<RawRun> {
  try {
    const outcome = await waitForContainer(ctx.api, {
      namespace,
      pod,
      container,
      ephemeral: true,
      deadline: Date.now() + ctx.timeoutMs,
      signal: ctx.signal,
      onState: (state) => ctx.progress(`${plan.source}: ${pod}: ${state}`),
    });
    return await readLog(ctx, namespace, pod, container, outcome);
  } catch (error) {
    return failure(pod, error);
  }
}

/** Says which PodDisruptionBudgets the probe pod leaves allowing no disruption; a budget that cannot be read is a note. */
async function warnOfBudgets(
  ctx: AgentContext,
  source: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  seconds: number,
): Promise<void> {
  try {
    for (const warning of blockedBudgets(await ctx.api.listPodDisruptionBudgets(namespace), labels, seconds))
      ctx.warn?.(`${source}: ${warning}`);
  } catch (error) {
    if (error instanceof KubeApiError && error.fatal) throw error;
    ctx.progress(`${source}: could not read the PodDisruptionBudgets of ${namespace}: ${(error as Error).message}`);
  }
}

/** The hint for a create refused because the probe pod names its source pod as its owner. */
function ownerHint(error: unknown): string {
  return error instanceof KubeApiError && error.code === 403 && /ownerRef/i.test(error.message)
    ? ' (the probe pod names its source pod as its owner, so that no controller adopts it; the API server allows that only to who may also delete pods there: grant delete pods, as the Role prober-probe-pod does)'
    : '';
}

/**
 * Why the probe pod is not in the mesh as the source is, judged from the pod the API server stored (after
 * the sidecar injector's mutation): its probes would not be the source's.
 */
function meshMismatch(source: V1Pod, created: V1Pod): string | undefined {
  const [theirs, ours] = [sidecarOf(source), sidecarOf(created)];
  if (theirs?.mesh === ours?.mesh) return undefined;
  const name = source.metadata?.name ?? '';
  return theirs
    ? `the probe pod got no ${theirs.mesh} sidecar, while ${name} runs one: it would probe from outside the mesh (is injection limited to some pods, e.g. by a neverInjectSelector?)`
    : `the probe pod got a ${ours?.mesh} sidecar, while ${name} runs none (injection was enabled after ${name} started?): it would probe from inside the mesh`;
}

/**
 * Creates a probe pod with the source pod's labels and service account, waits for its agent, reads
 * the log and deletes the pod — also when anything fails or the run is interrupted.
 */
export async function runInProbePod(
  ctx: AgentContext,
  source: V1Pod,
  sourceName: string,
  plan: AgentPlan,
  probes: number,
): Promise<RawRun> {
  const sourceNamespace = source.metadata?.namespace ?? 'default';
  let resources: AgentResources;
  try {
    const fitted = agentResources(await ctx.api.listLimitRanges(sourceNamespace), probes, ctx.agentResources);
    if ('error' in fitted) return { error: fitted.error };
    resources = fitted.resources;
  } catch (error) {
    return failure(undefined, error);
  }
  const spec = probePod({
    resources: resourceRequirements(resources),
    ...(ctx.nodeSelector ? { nodeSelector: ctx.nodeSelector } : {}),
    ...(ctx.node ? { node: ctx.node } : {}),
    source,
    sourceName,
    runId: ctx.runId,
    image: ctx.image,
    plan,
    deadlineSeconds: Math.ceil(ctx.timeoutMs / 1000) + 60,
    // Half the agent's time, at most a minute, for the sidecar proxy; the rest is for the probes.
    proxyDeadlineMs: Math.max(1000, Math.min(60_000, Math.floor(ctx.timeoutMs / 2))),
  });
  const namespace = spec.metadata?.namespace ?? 'default';
  const pod = spec.metadata?.name ?? '';
  await warnOfBudgets(ctx, plan.source, namespace, spec.metadata?.labels ?? {}, spec.spec?.activeDeadlineSeconds ?? 0);
  ctx.tracker.willCreate(namespace, pod);
  // A create the API server answered with a 4xx made no pod: deleting "it" would only fail again (403)
  // or, for 409, remove a pod that is not prober's. Any other failure may have made one: delete it.
  let refused = false;
  try {
    const created = await ctx.api.createPod(namespace, spec).catch((error: unknown) => {
      refused =
        error instanceof KubeApiError &&
        error.code !== undefined &&
        error.code >= 400 &&
        error.code < 500 &&
        error.code !== 429;
      throw error;
    });
    ctx.progress(`${plan.source}: probe pod ${namespace}/${pod} created (identity of ${source.metadata?.name})`);
    const mismatch = meshMismatch(source, created);
    if (mismatch) return { pod, error: mismatch };
    const outcome = await waitForContainer(ctx.api, {
      namespace,
      pod,
      container: 'agent',
      ephemeral: false,
      deadline: Date.now() + ctx.timeoutMs,
      signal: ctx.signal,
      onState: (state) => ctx.progress(`${plan.source}: ${pod}: ${state}`),
    });
    return await readLog(ctx, namespace, pod, 'agent', outcome);
  } catch (error) {
    return failure(pod, error, ownerHint(error));
  } finally {
    if (refused) {
      ctx.tracker.refused(namespace, pod);
    } else {
      const problem = await ctx.tracker.delete(namespace, pod);
      if (problem) ctx.progress(problem);
    }
  }
}
