// The agent container prober adds to a cluster: the ephemeral agent, and the base the probe pod's agent shares.

import type { V1Container, V1EnvVar, V1EphemeralContainer, V1SecurityContext } from '@kubernetes/client-node';
import { type AgentPlan, EPHEMERAL_PLAN_BYTES, planEnv } from './plan-env.ts';

/**
 * The image repository fixed into the binary when it is built: build.mjs replaces this name with
 * PROBER_IMAGE_REPO's value (a fork's release names its own). Run from source, it is not defined.
 */
declare const PROBER_BUILD_IMAGE_REPO: string | undefined;

/** The image tag published for a prober version, in the repository the binary was built for. */
export function defaultImage(version: string): string {
  const repo = typeof PROBER_BUILD_IMAGE_REPO === 'string' ? PROBER_BUILD_IMAGE_REPO : 'ghcr.io/prober-dev/prober';
  return `${repo}:${version}`;
}

/**
 * Name of an agent container: `prober-<run id>-<n>`, n the source's place in the test. Unique per run
 * because ephemeral containers can never be removed, and per source because two sources may pick the
 * same pod, where a second container of the same name would be refused (422, names are unique in a pod).
 */
export function agentContainerName(runId: string, ordinal: number | string): string {
  return `prober-${runId}-${ordinal}`;
}

/** The `nonroot` user and group of prober's image (distroless): 65532. */
export const AGENT_UID = 65532;

/**
 * Least privilege (trust rule 6), and what Pod Security "restricted" requires of every container. The
 * user and group are explicit: with `runAsNonRoot` alone, a pod whose own securityContext says
 * `runAsUser: 0` (or an agent image without a user) makes the kubelet refuse the container
 * (CreateContainerConfigError), because a container's fields override the pod's only where it sets them.
 */
const SECURITY: V1SecurityContext = {
  runAsNonRoot: true,
  runAsUser: AGENT_UID,
  runAsGroup: AGENT_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The part every agent container shares: `prober agent` reading its plan from $PROBER_PLAN_GZ. */
export function agentBase(name: string, image: string, plan: V1EnvVar): V1Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['prober', 'agent'],
    env: [plan],
    securityContext: SECURITY,
    // If the agent dies before printing its last line, the kubelet keeps the log tail as the message.
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/**
 * The ephemeral container that runs the agent inside the source pod (sharing its network namespace).
 * Throws a PlanTooLargeError when the plan would leave more than EPHEMERAL_PLAN_BYTES in the pod's spec.
 */
export function ephemeralAgent(name: string, image: string, plan: AgentPlan): V1EphemeralContainer {
  const env = planEnv(
    plan,
    EPHEMERAL_PLAN_BYTES,
    'an ephemeral agent may leave in the source pod for good; run with --agent=pod, or split the test',
  );
  return agentBase(name, image, env);
}
