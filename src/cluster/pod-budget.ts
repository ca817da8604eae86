// How much room a source pod has left for one more ephemeral agent. Ephemeral containers can never be
// removed, so every run grows the pod object for good; etcd refuses an object past its request limit
// (1.5 MiB by default, `etcdserver: request is too large`), and from then on every update of that pod
// fails, the kubelet's status updates included. prober stops well before that.

import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';

/** The most prober lets a pod object grow to by adding an agent: 1 MiB of JSON, a third below etcd's 1.5 MiB. */
export const POD_OBJECT_BUDGET_BYTES = 1024 * 1024;

/** From this many prober containers in a pod on, each run says so on stderr. */
export const MANY_AGENTS = 10;

/**
 * The most prober containers prober leaves in one pod: past it a source is refused. Each stays in a
 * (often critical) pod's spec until the pod is replaced; runs spread over a workload's Ready pods
 * (fewest first), so the cap is met only when every Ready pod holds this many.
 */
const MAX_AGENTS_PER_POD = 20;

/** What a container's status entry adds to the pod once the kubelet reports it (a generous estimate). */
const STATUS_ENTRY_BYTES = 1024;

/** The ephemeral containers prober left in a pod (their names are `prober-<run id>`). */
export function proberContainers(pod: V1Pod): number {
  return (pod.spec?.ephemeralContainers ?? []).filter((c) => c.name.startsWith('prober-')).length;
}

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

/** What to do about a pod that holds too much: the probe pod way, or a fresh pod. */
const WAYS_OUT = 'run with --agent=pod, or replace the pod (e.g. kubectl rollout restart) to start from an empty spec';

/**
 * Checks the room for `agent` in `pod`: an error when the pod would pass the budget or already holds
 * MAX_AGENTS_PER_POD prober containers, a warning when it holds many, else nothing.
 */
export function podRoom(pod: V1Pod, agent: V1EphemeralContainer): { error?: string; warning?: string } {
  const where = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const count = proberContainers(pod);
  const size = Buffer.byteLength(JSON.stringify(pod));
  const after = size + Buffer.byteLength(JSON.stringify(agent)) + STATUS_ENTRY_BYTES;
  if (after > POD_OBJECT_BUDGET_BYTES)
    return {
      error: `pod ${where} is ${kib(size)} with ${count} prober agent containers that can never be removed; another would take it past the ${kib(POD_OBJECT_BUDGET_BYTES)} prober allows, close to etcd's 1.5 MiB limit after which every update of the pod fails: ${WAYS_OUT}`,
    };
  if (count >= MAX_AGENTS_PER_POD)
    return {
      error: `pod ${where} already holds ${count} prober agent containers, the most prober adds to one pod (ephemeral containers are never removed), and the workload has no Ready pod with fewer: ${WAYS_OUT}`,
    };
  if (count >= MANY_AGENTS)
    return {
      warning: `pod ${where} already holds ${count} prober agent containers (ephemeral containers are never removed; it is ${kib(size)} of etcd's 1.5 MiB per object): ${WAYS_OUT}`,
    };
  return {};
}

/** What an ephemeral agent leaves in its pod for good, for the report: `count` prober containers there now. */
export function leftBehind(pod: V1Pod, container: string, count: number): string {
  const where = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  return `ephemeral container ${container} in ${where} (${count} of at most ${MAX_AGENTS_PER_POD} prober containers there; removed only when the pod is replaced)`;
}
