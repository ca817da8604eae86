// The fake kubelet's pod-level memory accounting: a pod's memory cgroup is limited to the sum of its
// containers' limits, and an ephemeral container, which has no resources, is charged to it. When an agent
// takes the pod past the limit, the kernel's OOM killer kills the workload's own process.

import { parseQuantity } from './quantity.ts';

type Json = Record<string, any>;

/** What the workload's own process uses, written on the pod by a test (the fake's stand-in for its cgroup's usage). */
export const USAGE_ANNOTATION = 'fake.prober.test/memory-usage';

/**
 * What one agent adds to its pod: the built binary's resident size with a 100-probe plan
 * (`/usr/bin/time -v dist/prober agent < plan`: 84–88 MB; src/cluster/agent-memory.ts has the figures).
 */
export const AGENT_CHARGE_BYTES = 86 * 2 ** 20;

const bytes = (text: unknown): number | undefined =>
  typeof text === 'string' || typeof text === 'number' ? parseQuantity(String(text)).value : undefined;

/**
 * The pod's memory cgroup limit as the kubelet sets it (pkg/kubelet/cm/helpers_linux.go
 * ResourceConfigForPod): set only when every container declares a memory limit, then their sum.
 */
export function podLimitBytes(pod: Json): number | undefined {
  const containers = (pod.spec?.containers ?? []) as Json[];
  const limits = containers.map((c) => bytes(c.resources?.limits?.memory));
  if (limits.length === 0 || limits.some((l) => l === undefined)) return undefined;
  return limits.reduce((sum: number, l) => sum + (l as number), 0);
}

/**
 * Charges newly started agents to the pod: when the workload's usage plus every running agent passes the
 * pod's limit, the workload container is OOM-killed and restarted (its `lastState` says `OOMKilled`,
 * `restartCount` grows). The kernel picks the process with the largest footprint in the cgroup
 * (mm/oom_kill.c oom_badness); the tests' workloads are larger than an agent. Returns whether it killed.
 */
export function chargeAgents(pod: Json, agents: number): boolean {
  const limit = podLimitBytes(pod);
  const usage = bytes(pod.metadata?.annotations?.[USAGE_ANNOTATION]);
  if (limit === undefined || usage === undefined) return false;
  if (usage + agents * AGENT_CHARGE_BYTES <= limit) return false;
  const [main] = (pod.status?.containerStatuses ?? []) as Json[];
  if (!main) return false;
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  main.restartCount = Number(main.restartCount ?? 0) + 1;
  main.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: at, finishedAt: at } };
  main.state = { running: { startedAt: at } };
  return true;
}
