// `prober cleanup`: what runs left behind — probe pods (by the run-id label) deleted, and the ephemeral
// agents prober added to workload pods listed, because Kubernetes cannot remove an ephemeral container.

import type { V1Pod } from '@kubernetes/client-node';
import { KubeApiError } from './api-error.ts';
import { type KubeApi, RUN_ID_LABEL } from './kube-api.ts';

/** What to clean up: one run or every run, in some namespaces or all of them. */
export interface LeftoverQuery {
  /** A run id (`prober.dev/run-id`), or undefined for every run. */
  readonly runId: string | undefined;
  /** Namespaces to look in, or `all` (one cluster-wide list). */
  readonly namespaces: readonly string[] | 'all';
  /** List only: nothing is deleted. */
  readonly dryRun: boolean;
}

/** What became of one probe pod. */
type PodAction = 'deleted' | 'would delete' | 'terminating' | 'gone' | 'failed';

interface LeftPod {
  readonly namespace: string;
  readonly name: string;
  readonly runId: string;
  readonly action: PodAction;
  /** Why a delete failed. */
  readonly error?: string;
}

/** One of prober's agents in a pod's spec for good, and its state as the kubelet last reported it. */
interface LeftAgent {
  readonly name: string;
  readonly runId: string;
  readonly state: 'running' | 'waiting' | 'terminated' | 'unknown';
}

/** A pod holding agents prober added, which only replacing the pod removes. */
interface PodWithAgents {
  readonly namespace: string;
  readonly pod: string;
  readonly agents: readonly LeftAgent[];
}

/** Everything found, and what could not be looked at or deleted. */
export interface Leftovers {
  readonly pods: readonly LeftPod[];
  readonly agents: readonly PodWithAgents[];
  /** One line each: a namespace that could not be listed. */
  readonly problems: readonly string[];
}

/**
 * An agent container's name: `prober-<run id>-<n>` (agent-spec.ts agentContainerName). Only
 * ephemeral containers are matched, which prober adds and a workload's own template cannot declare.
 */
const AGENT_NAME = /^prober-([a-z0-9]+)-(\d+)$/;

function agentsOf(pod: V1Pod, runId: string | undefined): LeftAgent[] {
  const states = new Map(
    (pod.status?.ephemeralContainerStatuses ?? []).map((s) => [
      s.name,
      s.state?.running ? 'running' : s.state?.terminated ? 'terminated' : s.state?.waiting ? 'waiting' : 'unknown',
    ]),
  );
  return (pod.spec?.ephemeralContainers ?? []).flatMap((container) => {
    const match = AGENT_NAME.exec(container.name);
    if (!match || (runId !== undefined && match[1] !== runId)) return [];
    return [
      {
        name: container.name,
        runId: match[1] ?? '',
        state: (states.get(container.name) ?? 'unknown') as LeftAgent['state'],
      },
    ];
  });
}

/** The pods to look through: one cluster-wide list, or one list per namespace (a refusal is a problem, not a stop). */
async function podsToSearch(api: KubeApi, query: LeftoverQuery, problems: string[]): Promise<V1Pod[]> {
  if (query.namespaces === 'all') return api.listPodsForCleanup();
  const pods: V1Pod[] = [];
  for (const namespace of query.namespaces) {
    try {
      pods.push(...(await api.listPods(namespace)));
    } catch (error) {
      problems.push(`could not list pods in ${namespace}: ${(error as Error).message}`);
    }
  }
  return pods;
}

/** Deletes one probe pod (unless dry run); a pod already gone or terminating is not a failure. */
async function removePod(api: KubeApi, pod: V1Pod, runId: string, dryRun: boolean): Promise<LeftPod> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const left = { namespace, name, runId };
  if (pod.metadata?.deletionTimestamp) return { ...left, action: 'terminating' };
  if (dryRun) return { ...left, action: 'would delete' };
  try {
    await api.deletePod(namespace, name);
    return { ...left, action: 'deleted' };
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) return { ...left, action: 'gone' };
    return { ...left, action: 'failed', error: (error as Error).message };
  }
}

/**
 * Finds what runs left (the run asked for, or all) and deletes the probe pods, one at a time (a
 * cleanup is not in a hurry, and the API server's priority and fairness prefers it so). A cluster-wide
 * list that is refused throws (nothing was found); a namespace that is refused is a problem, the others
 * are still cleaned.
 */
export async function cleanUpLeftovers(api: KubeApi, query: LeftoverQuery): Promise<Leftovers> {
  const problems: string[] = [];
  const pods = await podsToSearch(api, query, problems);
  const byPlace = (a: V1Pod, b: V1Pod): number =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`);
  const left: LeftPod[] = [];
  const agents: PodWithAgents[] = [];
  for (const pod of [...pods].sort(byPlace)) {
    const runId = pod.metadata?.labels?.[RUN_ID_LABEL];
    if (runId !== undefined) {
      if (query.runId === undefined || runId === query.runId) left.push(await removePod(api, pod, runId, query.dryRun));
      continue;
    }
    const found = agentsOf(pod, query.runId);
    if (found.length > 0)
      agents.push({ namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', agents: found });
  }
  return { pods: left, agents, problems };
}
