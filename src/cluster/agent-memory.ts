// What an agent costs the pod it runs in, and where it may run: an ephemeral agent has no resources of
// its own (the API server forbids the field) and is charged to its pod's memory cgroup, whose limit is the
// sum of the regular containers' limits. An agent that does not fit gets the workload OOM-killed.

import type { V1Container, V1Pod } from '@kubernetes/client-node';

const MIB = 2 ** 20;
const KIB = 2 ** 10;

/**
 * The most memory an agent needs for a plan of `probes` probes at the default concurrency of 64: an
 * upper bound on the built binary's peak resident size (`/usr/bin/time -v dist/prober agent`, HTTP
 * probes to a local `prober serve`, the costliest scheme; tcp:// and redis:// take less): 80 MiB for 1
 * probe, 86 MiB for 100, 112–128 MiB for 1,000, 231–237 MiB for 10,000. The bound: 96 MiB, plus
 * 48 KiB a probe up to 1,000, plus 16 KiB a probe past that (100: 101 MiB, 1,000: 143 MiB, 10,000: 284 MiB).
 */
export function agentMemoryBytes(probes: number): number {
  const first = Math.min(probes, 1000);
  return 96 * MIB + first * 48 * KIB + Math.max(0, probes - 1000) * 16 * KIB;
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: KIB,
  Mi: MIB,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  m: 1e-3,
};

/** Bytes of a memory quantity (`128Mi`, `1G`, `134217728`); undefined when unset or unreadable. */
export function memoryBytes(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const match = /^([0-9.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(String(quantity).trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ''] as number);
}

/** Formats bytes as the MiB people read in a limit: `128Mi`. */
export const mib = (bytes: number): string => `${Math.ceil(bytes / MIB)}Mi`;

/** A pod's memory: its pod-level limit (none when any container lacks one) and its containers' requests. */
export interface PodMemory {
  readonly limit?: number;
  readonly requests: number;
}

const limitOf = (c: V1Container): number | undefined => memoryBytes(c.resources?.limits?.memory);
// The API server defaults an unset request to the limit; a container with neither asks for nothing.
const requestOf = (c: V1Container): number => memoryBytes(c.resources?.requests?.memory) ?? limitOf(c) ?? 0;

/**
 * The pod's memory cgroup limit as the kubelet sets it (pkg/kubelet/cm/helpers_linux.go
 * ResourceConfigForPod: only when every container declares a memory limit; the value from
 * k8s.io/component-helpers/resource PodLimits: the regular and restartable init (sidecar) containers
 * summed, at least the largest other init container, plus the pod's overhead). Ephemeral containers
 * count for nothing: they have no resources.
 */
export function podMemory(pod: V1Pod): PodMemory {
  const spec = pod.spec;
  const running = [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  const inits = (spec?.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always');
  const requests = running.reduce((sum, c) => sum + requestOf(c), 0);
  const limits = [...running, ...inits].map(limitOf);
  if (running.length === 0 || limits.some((l) => l === undefined)) return { requests };
  const sum = running.reduce((total, c) => total + (limitOf(c) ?? 0), 0);
  const overhead = memoryBytes(spec?.overhead?.memory) ?? 0;
  return { limit: Math.max(sum, ...inits.map((c) => limitOf(c) ?? 0)) + overhead, requests };
}

/** Where a source's agent should run, and why. */
export interface AgentPlacement {
  readonly fits: boolean;
  readonly reason: string;
}

/**
 * Whether an ephemeral agent for `probes` probes fits in `pod`: the pod's limit less what its
 * containers request (what the workload may be expected to use) must hold the agent's bound. A pod
 * without a pod-level limit takes it (the agent can still count against the node: under memory
 * pressure the kubelet evicts pods by how far their usage exceeds their requests, pkg/kubelet/eviction).
 */
export function ephemeralFits(pod: V1Pod, probes: number): AgentPlacement {
  const need = agentMemoryBytes(probes);
  const { limit, requests } = podMemory(pod);
  const name = pod.metadata?.name ?? '';
  if (limit === undefined)
    return { fits: true, reason: `pod ${name} has no pod-level memory limit; the agent needs up to ${mib(need)}` };
  const room = limit - requests;
  const said = `pod ${name}'s memory limit ${mib(limit)} (its containers' limits summed) leaves ${mib(Math.max(0, room))} above their requests of ${mib(requests)}, and an ephemeral agent of ${probes} probes needs up to ${mib(need)}`;
  return { fits: room >= need, reason: said };
}
