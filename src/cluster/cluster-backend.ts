// The cluster backend: discover sources and targets, run one agent per source in parallel, clean up, return observations.

import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import { plansFor } from '../model/plan.ts';
import { runBounded } from '../model/pool.ts';
import type { ReportSource } from '../model/report.ts';
import type { ReachabilityTest, RunDefaults, SourceSpec } from '../model/test-spec.ts';
import { runPlan } from '../probe/engine.ts';
import { chooseAgent } from './agent-choice.ts';
import type { AgentContext } from './agent-containers.ts';
import { type AgentMode, type AgentRun, runEphemeralAgent, runPodAgent } from './agents.ts';
import { KubeApiError } from './api-error.ts';
import { ProbePodTracker } from './cleanup.ts';
import { checkTargets, pickSourcePod, type TargetEvidence } from './discovery.ts';
import type { KubeApi } from './kube-api.ts';
import type { AgentResources } from './probe-pod-resources.ts';
import { residentAgents } from './resident-agent.ts';

/** How a cluster run is carried out. */
export interface ClusterOptions {
  readonly image: string;
  readonly agent: AgentMode;
  /** Sources probed at the same time. */
  readonly parallel: number;
  /** Deadline for one agent, image pull included; undefined = worked out from the plan. */
  readonly agentTimeoutMs?: number;
  readonly defaults: RunDefaults;
  /** Namespace for sources that name none. */
  readonly namespace: string;
  /** Shown in the report's metadata (context and server). */
  readonly context: string;
  readonly runId?: string;
  readonly clusterDomain?: string;
  /** The platforms (`os/arch`) the agent image runs on; undefined when unknown (an image from --image). */
  readonly imagePlatforms?: readonly string[];
  /** The probe pod agent's requests and limits from the flags; unset: fitted to the namespace's LimitRanges. */
  readonly agentResources?: Partial<AgentResources>;
  /** Where warnings go (stderr in the CLI): cleanup problems, targets that could not be checked. */
  readonly warn?: (message: string) => void;
  /**
   * With resident agents, whether a pod whose resident agent is dead (or of another image) is probed by a
   * one-shot ephemeral agent (`run`: once) or not at all (a watch: one such container every interval would
   * pile up in the pod for good). Default true.
   */
  readonly oneShotFallback?: boolean;
}

const podKey = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/**
 * A hostNetwork pod shares its node's network namespace: its probes leave from the node's address, which
 * NetworkPolicies do not select as a pod. Every result says so, in its cell's detail.
 */
function hostNetworkNoted(pod: V1Pod, run: AgentRun): AgentRun {
  if (!pod.spec?.hostNetwork || !('results' in run)) return run;
  const note = `from the node's network (hostNetwork pod ${pod.metadata?.name ?? ''} on ${pod.spec.nodeName ?? 'its node'}): this tests the node, not a pod`;
  const results = new Map(
    [...run.results].map(([id, result]) => [
      id,
      { ...result, detail: result.detail ? `${note}; ${result.detail}` : note },
    ]),
  );
  return { ...run, results, hostNetwork: true };
}

/** A run id: short, lower-case, valid in names and label values. */
export function newRunId(): string {
  return randomBytes(3).toString('hex') + Date.now().toString(36).slice(-3);
}

/**
 * The longest a plan can take when every probe times out on every attempt, plus a minute for the
 * image pull and container start.
 */
export function agentTimeoutFor(plan: ProbePlan): number {
  const worst = Math.max(
    0,
    ...plan.probes.map(
      (p) =>
        (p.timeoutMs ?? plan.defaults.timeoutMs) * (p.attempts ?? plan.defaults.attempts) +
        1000 * ((p.attempts ?? plan.defaults.attempts) - 1),
    ),
  );
  const waves = Math.ceil(plan.probes.length / Math.max(1, plan.defaults.concurrency));
  return 60_000 + worst * waves;
}

/** Observes a test from the real source workloads of a cluster, through the Kubernetes API. */
export class ClusterBackend implements Backend {
  readonly kind = 'cluster' as const;
  readonly #api: KubeApi;
  readonly #options: ClusterOptions;
  /** Agents this run is adding per pod (`namespace/name`): sources of one workload spread over its pods. */
  readonly #taken = new Map<string, number>();

  constructor(api: KubeApi, options: ClusterOptions) {
    this.#api = api;
    this.#options = options;
  }

  async observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun> {
    const opts = this.#options;
    const runId = opts.runId ?? newRunId();
    const progress = options.progress ?? (() => undefined);
    const warn = opts.warn ?? (() => undefined);
    const tracker = new ProbePodTracker(this.#api, runId);
    const plans = new Map(plansFor(test, opts.defaults).map((plan) => [plan.source, plan]));
    const runs = new Map<string, AgentRun>();
    let fatal: KubeApiError | undefined;
    let evidence: TargetEvidence = { alive: new Map(), down: new Map(), warnings: [] };
    try {
      // The handlers are attached at once: a rejection must not go unhandled while sources still run.
      const targetsChecked = checkTargets(this.#api, test.targets, opts.clusterDomain).then(
        (found) => {
          evidence = found;
        },
        (error: unknown) => {
          if (error instanceof KubeApiError && error.fatal) fatal ??= error;
          else warn(`could not check target Services: ${(error as Error).message}`);
        },
      );
      await runBounded(test.sources, opts.parallel, async (source) => {
        if (options.signal.aborted || fatal) {
          runs.set(source.name, {
            error: options.signal.aborted ? 'interrupted before probing' : `not probed: ${fatal?.message}`,
          });
          return;
        }
        try {
          runs.set(
            source.name,
            await this.#runSource(source, test.sources.indexOf(source), plans.get(source.name) as ProbePlan, {
              api: this.#api,
              runId,
              image: opts.image,
              signal: options.signal,
              tracker,
              progress,
              warn,
              timeoutMs: 0,
              ...(opts.agentResources ? { agentResources: opts.agentResources } : {}),
            }),
          );
        } catch (error) {
          if (error instanceof KubeApiError && error.fatal) fatal ??= error;
          runs.set(source.name, { error: error instanceof Error ? error.message : String(error) });
        }
      });
      await targetsChecked;
    } finally {
      for (const problem of await tracker.deleteAll()) warn(problem);
    }
    const results = new Map<string, Map<string, ProbeResult>>();
    const sourceErrors = new Map<string, string>();
    const hostNetwork = new Set<string>();
    for (const [name, run] of runs) {
      if ('results' in run) {
        results.set(name, run.results);
        if (run.hostNetwork) hostNetwork.add(name);
      } else {
        sourceErrors.set(name, run.error);
      }
    }
    // An unreachable API server or rejected credentials with nothing observed: one clear line, exit 2.
    if (fatal && results.size === 0) throw fatal;
    for (const warning of evidence.warnings) warn(warning);
    return {
      observations: {
        results,
        sourceErrors,
        alive: evidence.alive,
        down: evidence.down,
        ...(hostNetwork.size > 0 ? { hostNetwork } : {}),
      },
      sources: this.#reportSources(test.sources, runs),
      context: opts.context,
    };
  }

  async #runSource(source: SourceSpec, ordinal: number, plan: ProbePlan, base: AgentContext): Promise<AgentRun> {
    const opts = this.#options;
    if (source.local) {
      // A `local: true` source probes from where prober runs (the Job's pod, a CI runner).
      const results = new Map<string, ProbeResult>();
      await runPlan(plan, (id, result) => results.set(id, result), base.signal);
      return { results };
    }
    const namespace = source.namespace ?? opts.namespace;
    base.progress(`${source.name}: looking for a Ready pod in ${namespace}`);
    const pick = await pickSourcePod(this.#api, namespace, source.selector, this.#taken);
    if ('error' in pick) return { error: pick.error };
    const ctx: AgentContext = { ...base, timeoutMs: opts.agentTimeoutMs ?? agentTimeoutFor(plan) };
    const choice = await chooseAgent({
      api: this.#api,
      mode: opts.agent,
      source: source.name,
      pod: pick.pod,
      probes: plan.probes.length,
      ...(opts.imagePlatforms ? { platforms: opts.imagePlatforms } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
    if ('error' in choice) return { pod: pick.name, error: choice.error };
    const { nodeSelector, ...how } = choice;
    // A probe pod adds nothing to the source pod: another source may still pick it first.
    if (how.agent === 'pod') this.#taken.set(podKey(pick.pod), (this.#taken.get(podKey(pick.pod)) ?? 1) - 1);
    const agentRun =
      how.agent === 'pod'
        ? await runPodAgent(nodeSelector ? { ...ctx, nodeSelector } : ctx, pick.pod, source.name, plan)
        : opts.agent === 'resident'
          ? await residentAgents({ ...ctx, oneShotFallback: opts.oneShotFallback ?? true }).run(
              pick.pod,
              plan,
              ctx.signal,
              ordinal,
            )
          : await runEphemeralAgent(ctx, pick.pod, plan, ordinal);
    // A resident run says how its plan went (over pods/exec, or a one-shot agent where the resident one died).
    const agentReason = agentRun.agentReason ? `${how.agentReason}; ${agentRun.agentReason}` : how.agentReason;
    const run: AgentRun = { ...hostNetworkNoted(pick.pod, agentRun), ...how, agentReason };
    base.progress(
      `${source.name}: ${'results' in run ? `${run.results.size} results from ${run.pod}` : `failed: ${run.error}`}`,
    );
    return run;
  }

  #reportSources(sources: readonly SourceSpec[], runs: ReadonlyMap<string, AgentRun>): ReportSource[] {
    return sources.map((source) => {
      const run = runs.get(source.name);
      if (source.local)
        return { name: source.name, local: true, ...(run && 'error' in run ? { error: run.error } : {}) };
      return {
        name: source.name,
        namespace: source.namespace ?? this.#options.namespace,
        ...(source.selector ? { selector: source.selector } : {}),
        ...(run?.pod ? { pod: run.pod } : {}),
        ...(run && 'error' in run ? { error: run.error } : {}),
        ...(run?.agent ? { agent: run.agent } : {}),
        ...(run?.agentReason ? { agentReason: run.agentReason } : {}),
        ...(run?.left ? { left: run.left } : {}),
      };
    });
  }
}
