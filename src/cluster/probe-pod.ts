// The never-Ready probe pod of `--agent=pod`: a pod beside the source with the source's network identity.

import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import type { ProbePlan } from '../model/plan.ts';
import { agentBase } from './agent-spec.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from './kube-api.ts';

/**
 * Name of a probe pod: `prober-<source>-<run id>`, kept within the 63 characters a pod's hostname allows.
 */
export function probePodName(source: string, runId: string): string {
  const room = 63 - 'prober-'.length - runId.length - 1;
  const part = source
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, room)
    .replace(/-+$/, '');
  return `prober-${part}-${runId}`;
}

/**
 * Requests and limits of the probe pod's agent (`--agent=pod`). Measured with the built binary: about
 * 75 MB resident for one probe, 110 MB for 512 HTTP probes at the default concurrency of 64, a
 * fraction of a CPU core. Namespaces with a ResourceQuota refuse pods without them; a LimitRange would otherwise
 * pick arbitrary ones. An agent killed at the memory limit is a source error, never a partial result.
 * Ephemeral containers may not set resources (the API server forbids the field): they share the pod's.
 */
export const PROBE_POD_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '10m', memory: '96Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** Labels set by controllers, which would let a ReplicaSet/StatefulSet adopt the probe pod. */
const CONTROLLER_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
];

/** Labels of a probe pod: the source's own (its policy identity) minus controller hashes, plus prober's. */
export function probePodLabels(source: V1Pod, runId: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.metadata?.labels ?? {})) {
    if (!CONTROLLER_LABELS.includes(key)) labels[key] = value;
  }
  // A workload's own managed-by label is part of its identity and is kept; the run id always marks the pod as prober's.
  labels[MANAGED_BY_LABEL] ??= MANAGED_BY_VALUE;
  labels[RUN_ID_LABEL] = runId;
  return labels;
}

/** Inputs for a probe pod. */
export interface ProbePodInput {
  readonly source: V1Pod;
  readonly sourceName: string;
  readonly runId: string;
  readonly image: string;
  readonly plan: ProbePlan;
  /** The cluster stops the pod after this long even if prober could not delete it. */
  readonly deadlineSeconds: number;
}

/**
 * A short-lived pod with the source's labels and service account, in its namespace. Its readiness
 * probe can never pass (nothing listens on port 1), so no Service ever routes traffic to it.
 */
export function probePod(input: ProbePodInput): V1Pod {
  const { source, runId } = input;
  const serviceAccountName = source.spec?.serviceAccountName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: probePodName(input.sourceName, runId),
      namespace: source.metadata?.namespace ?? 'default',
      labels: probePodLabels(source, runId),
      annotations: { 'prober.dev/source': input.sourceName, 'prober.dev/identity-of': source.metadata?.name ?? '' },
    },
    spec: {
      restartPolicy: 'Never',
      ...(serviceAccountName ? { serviceAccountName } : {}),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: input.deadlineSeconds,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          ...agentBase('agent', input.image, input.plan),
          resources: PROBE_POD_RESOURCES,
          readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 3600, failureThreshold: 1 },
        },
      ],
    },
  };
}
