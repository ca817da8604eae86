// How a plan travels to an agent in the cluster: in the container's environment, gzip-compressed and
// base64-encoded, within a hard bound. The environment is part of the pod object the API server stores,
// so the plan never crosses the pod network being tested (trust rule 1) and needs no further RBAC.

import type { V1EnvVar } from '@kubernetes/client-node';
import { PLAN_GZ_ENV, type ProxyReady } from '../model/plan.ts';

/**
 * Any plan an agent reads from its environment: a JSON object whose `kind` tells the agent what to do
 * (`ProbePlan`, `RateCheckPlan`), naming the source it runs for; a probe pod's agent may be told to wait
 * for its sidecar proxy first.
 */
export interface AgentPlan {
  readonly kind: string;
  readonly source: string;
  readonly proxyReady?: ProxyReady;
  readonly probes?: readonly unknown[];
}

/**
 * The most an ephemeral agent's plan may take, encoded: 16 KiB, some 850 probes to random hosts or 1,300
 * to Service names that share their parts. Ephemeral containers can never be removed, so every run leaves
 * its plan in the source pod's spec for good: a small bound keeps dozens of runs far below etcd's 1.5 MiB
 * per object.
 */
export const EPHEMERAL_PLAN_BYTES = 16 * 1024;

/**
 * The most a probe pod's plan may take, encoded: the kernel refuses to start a process with one
 * environment string over 128 KiB (MAX_ARG_STRLEN, `NAME=value` and its terminating NUL included).
 */
export const POD_PLAN_BYTES = 128 * 1024 - PLAN_GZ_ENV.length - 2;

/** A plan too large for where it must go; the message says what to do instead. */
export class PlanTooLargeError extends Error {}

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

/**
 * The environment variable holding `plan`, or a PlanTooLargeError when its encoding passes `limit`
 * bytes; `instead` is the advice the error ends with.
 */
export function planEnv(plan: AgentPlan, limit: number, instead: string): V1EnvVar {
  // node:zlib loaded here, not imported: `run`'s help loads this module (agent-spec.ts) for every command.
  const value = process.getBuiltinModule('node:zlib').gzipSync(JSON.stringify(plan), { level: 9 }).toString('base64');
  if (value.length > limit)
    throw new PlanTooLargeError(
      `the ${plan.probes ? 'probe plan' : plan.kind} of source ${plan.source}${plan.probes ? ` (${plan.probes.length} probes)` : ''} takes ${kib(value.length)} compressed, more than the ${kib(limit)} ${instead}`,
    );
  return { name: PLAN_GZ_ENV, value };
}
