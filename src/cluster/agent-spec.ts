// The agent container prober adds to a cluster: the ephemeral agent, and the base the probe pod's agent shares.

import type { V1Container, V1EphemeralContainer, V1SecurityContext } from '@kubernetes/client-node';
import type { ProbePlan } from '../model/plan.ts';

/** The image tag published for a prober version. */
export function defaultImage(version: string): string {
  return `ghcr.io/prober-dev/prober:${version}`;
}

/** Name of the agent container for a run: unique per run because ephemeral containers can never be removed. */
export function agentContainerName(runId: string): string {
  return `prober-${runId}`;
}

/** Least privilege (trust rule 6), and what Pod Security "restricted" requires of every container. */
const SECURITY: V1SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The part every agent container shares: `prober agent` reading its plan from $PROBER_PLAN. */
export function agentBase(name: string, image: string, plan: ProbePlan): V1Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['prober', 'agent'],
    env: [{ name: 'PROBER_PLAN', value: JSON.stringify(plan) }],
    securityContext: SECURITY,
    // If the agent dies before printing its last line, the kubelet keeps the log tail as the message.
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** The ephemeral container that runs the agent inside the source pod (sharing its network namespace). */
export function ephemeralAgent(runId: string, image: string, plan: ProbePlan): V1EphemeralContainer {
  return agentBase(agentContainerName(runId), image, plan);
}
