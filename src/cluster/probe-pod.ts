// The never-Ready probe pod of `--agent=pod`: a pod beside the source with the source's network identity.

import type { V1Affinity, V1OwnerReference, V1Pod, V1PodSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import { AGENT_UID, agentBase } from './agent-spec.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from './kube-api.ts';
import { meshAnnotations, proxyReadyFor, sidecarOf } from './mesh-membership.ts';
import { type AgentPlan, POD_PLAN_BYTES, planEnv } from './plan-env.ts';

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

/** Labels controllers set to tell their own pods apart (revision hashes, ordinals): no policy identity. */
const CONTROLLER_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
];

/** Labels of a probe pod: the source's own (its policy identity) minus controller hashes, plus prober's. */
function probePodLabels(source: V1Pod, runId: string): Record<string, string> {
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
  /** What the agent runs: a probe plan, or another kind of agent plan (a rate-limit check's). */
  readonly plan: AgentPlan;
  /** The cluster stops the pod after this long even if prober could not delete it. */
  readonly deadlineSeconds: number;
  /** Node labels the agent image needs (its OS and architecture), over the source's own nodeSelector. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** The one node the pod must run on (the source pod's): for checks whose answer depends on the node's zone. */
  readonly node?: string;
  /** The agent's requests and limits (fitted to the namespace's LimitRanges); default PROBE_POD_RESOURCES. */
  readonly resources?: V1ResourceRequirements;
  /** How long the agent waits for a classic sidecar proxy to be ready; default a minute. */
  readonly proxyDeadlineMs?: number;
}

/**
 * The probe pod's controller: the source pod itself. A ReplicaSet, StatefulSet, DaemonSet or Argo
 * Rollout adopts only orphans (pods without a controller reference) that its selector matches, and may
 * then delete one as surplus — the never-Ready probe pod first. With a controller of its own the probe
 * pod keeps every label policies select on and is adopted by none. The source pod is in the same
 * namespace and has a uid, as an owner must; when it goes, the garbage collector removes the probe pod
 * too. `blockOwnerDeletion` stays false: setting it would need more permission, and deleting the
 * source pod must never wait for prober. Setting an owner at creation needs `delete pods` in the
 * namespace (OwnerReferencesPermissionEnforcement), which the Role prober-probe-pod grants.
 */
function probePodOwner(source: V1Pod): V1OwnerReference[] {
  const { name, uid } = source.metadata ?? {};
  if (!name || !uid) return [];
  return [{ apiVersion: 'v1', kind: 'Pod', name, uid, controller: true, blockOwnerDeletion: false }];
}

/**
 * Where and how the source pod runs, so the probe pod lands on the same kind of node and resolves names
 * as the source does: image pull secrets (also for an injected proxy's image), node selector, node
 * affinity, tolerations, runtime class (a sandboxed runtime has its own network stack), DNS settings and,
 * for a hostNetwork source, the host network on the source's node.
 * Pod (anti-)affinity is left out: an anti-affinity against its own labels could leave the probe pod
 * nowhere to go; so are priority and preemption.
 */
function placementOf(spec: V1PodSpec | undefined): Partial<V1PodSpec> {
  if (!spec) return {};
  const nodeAffinity = spec.affinity?.nodeAffinity;
  return {
    ...(spec.imagePullSecrets?.length ? { imagePullSecrets: spec.imagePullSecrets } : {}),
    ...(spec.nodeSelector && Object.keys(spec.nodeSelector).length ? { nodeSelector: spec.nodeSelector } : {}),
    ...(nodeAffinity ? { affinity: { nodeAffinity } } : {}),
    ...(spec.tolerations?.length ? { tolerations: spec.tolerations } : {}),
    ...(spec.runtimeClassName ? { runtimeClassName: spec.runtimeClassName } : {}),
    ...(spec.dnsPolicy ? { dnsPolicy: spec.dnsPolicy } : {}),
    ...(spec.dnsConfig ? { dnsConfig: spec.dnsConfig } : {}),
    ...(spec.hostAliases?.length ? { hostAliases: spec.hostAliases } : {}),
    // A hostNetwork source probes from its node's network: so must its clone, from the same node, or
    // it would test a pod's network instead (a pod IP, NetworkPolicies that select it).
    ...(spec.hostNetwork ? { hostNetwork: true, ...(spec.nodeName ? { nodeName: spec.nodeName } : {}) } : {}),
  };
}

/**
 * The source's affinity with its required node terms replaced by one that names `node` (a field
 * selector on `metadata.name`), as the DaemonSet controller pins its pods
 * (pkg/controller/daemon/util/daemonset_util.go, ReplaceDaemonSetPodNodeNameNodeAffinity): the scheduler
 * still checks taints, resources and ports, which setting `spec.nodeName` would skip. The source pod
 * runs there, so its own node terms hold there already.
 */
function onNode(spec: V1PodSpec | undefined, node: string): V1Affinity {
  const nodeAffinity = spec?.affinity?.nodeAffinity;
  return {
    nodeAffinity: {
      ...(nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution
        ? {
            preferredDuringSchedulingIgnoredDuringExecution:
              nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution,
          }
        : {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
}

/**
 * A short-lived pod with the source's labels, mesh annotations, service account and placement, in its
 * namespace, controlled by the source pod (a PlanTooLargeError past POD_PLAN_BYTES). Its readiness probe can never pass (nothing listens on port
 * 1), so no Service ever routes traffic to it. With a classic sidecar in the source, the agent waits
 * for the probe pod's own proxy before probing.
 */
export function probePod(input: ProbePodInput): V1Pod {
  const { source, runId } = input;
  const serviceAccountName = source.spec?.serviceAccountName;
  const proxyReady = proxyReadyFor(source, input.proxyDeadlineMs ?? 60_000);
  const plan: AgentPlan = proxyReady ? { ...input.plan, proxyReady } : input.plan;
  // Linkerd's injector skips a pod that mounts no service account token; its proxy's identity needs it.
  const token = sidecarOf(source)?.mesh === 'Linkerd' ? {} : { automountServiceAccountToken: false };
  const owner = probePodOwner(source);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: probePodName(input.sourceName, runId),
      namespace: source.metadata?.namespace ?? 'default',
      labels: probePodLabels(source, runId),
      annotations: {
        ...meshAnnotations(source),
        'prober.dev/source': input.sourceName,
        'prober.dev/identity-of': source.metadata?.name ?? '',
      },
      ...(owner.length > 0 ? { ownerReferences: owner } : {}),
    },
    spec: {
      restartPolicy: 'Never',
      ...(serviceAccountName ? { serviceAccountName } : {}),
      ...token,
      ...placementOf(source.spec),
      ...(input.nodeSelector ? { nodeSelector: { ...source.spec?.nodeSelector, ...input.nodeSelector } } : {}),
      ...(input.node ? { affinity: onNode(source.spec, input.node) } : {}),
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: input.deadlineSeconds,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: AGENT_UID,
        runAsGroup: AGENT_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          ...agentBase(
            'agent',
            input.image,
            planEnv(plan, POD_PLAN_BYTES, 'one environment variable may hold; split the test into smaller ones'),
          ),
          resources: input.resources ?? PROBE_POD_RESOURCES,
          readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 3600, failureThreshold: 1 },
        },
      ],
    },
  };
}
