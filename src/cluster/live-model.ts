// The policy model's view of a live cluster: its pods, Services and policy objects as the engine's inputs.

import type { V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type {
  ClusterInput,
  ContainerPortInput,
  NamespaceInput,
  PolicyInput,
  Protocol,
  ServiceInput,
  WorkloadInput,
} from '../policy/index.ts';
import { RUN_ID_LABEL } from './kube-api.ts';

/** Live objects as listed: typed core objects, and policies as the raw JSON the API serves. */
export interface LiveObjects {
  readonly namespaces: readonly V1Namespace[];
  readonly pods: readonly V1Pod[];
  readonly services: readonly V1Service[];
  readonly policies: readonly Record<string, unknown>[];
  /** Listed only when a policy has a ClusterNetworkPolicy `nodes` peer; absent otherwise. */
  readonly nodes?: readonly V1Node[];
}

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function protocolOf(value: string | undefined): Protocol {
  return PROTOCOLS.includes(value as Protocol) ? (value as Protocol) : 'TCP';
}

/** A pod as the engine's workload: labels, service account, ports, addresses, sidecar. */
function workloadOf(pod: V1Pod): WorkloadInput {
  const spec = pod.spec;
  // Native sidecars (restartable init containers) keep serving after start-up, like containers.
  const serving = [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  const ports: ContainerPortInput[] = serving.flatMap((c) =>
    (c.ports ?? []).map((p) => ({
      port: p.containerPort,
      protocol: protocolOf(p.protocol),
      ...(p.name ? { name: p.name } : {}),
    })),
  );
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.name;
  const sidecar = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c) => c.name === 'istio-proxy');
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    kind: 'Pod',
    ...(owner ? { owner } : {}),
    labels: pod.metadata?.labels ?? {},
    serviceAccount: spec?.serviceAccountName ?? 'default',
    ports,
    ips: ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [],
    // A sidecar seen is a fact; otherwise the engine infers mesh membership (e.g. ambient) from labels.
    ...(sidecar ? { mesh: true } : {}),
    source: `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`,
  };
}

function serviceOf(service: V1Service): ServiceInput {
  const spec = service.spec;
  const selector = spec?.selector ?? {};
  return {
    namespace: service.metadata?.namespace ?? 'default',
    name: service.metadata?.name ?? '',
    ports: (spec?.ports ?? []).map((p) => ({
      port: p.port,
      protocol: protocolOf(p.protocol),
      ...(p.name ? { name: p.name } : {}),
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    })),
    ...(spec?.type !== 'ExternalName' && Object.keys(selector).length > 0 ? { selector } : {}),
    ...(spec?.clusterIP && spec.clusterIP !== 'None' ? { clusterIP: spec.clusterIP } : {}),
    source: `service ${service.metadata?.namespace}/${service.metadata?.name}`,
  };
}

/**
 * The engine's input for a live cluster. Pods that cannot be modelled are left out with a warning:
 * finished pods, host-network pods (policies do not apply to them), and prober's own probe pods.
 */
export function clusterInputFromLive(
  live: LiveObjects,
  extraPolicies: readonly PolicyInput[] = [],
): { input: ClusterInput; warnings: string[] } {
  const warnings: string[] = [];
  const namespaces: NamespaceInput[] = live.namespaces.map((ns) => ({
    name: ns.metadata?.name ?? '',
    labels: ns.metadata?.labels ?? {},
  }));
  const workloads: WorkloadInput[] = [];
  for (const pod of live.pods) {
    const id = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (pod.metadata?.labels?.[RUN_ID_LABEL]) continue;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    if (pod.spec?.hostNetwork) {
      warnings.push(`pod ${id} uses the host network: network policies do not apply to it, so the model leaves it out`);
      continue;
    }
    workloads.push(workloadOf(pod));
  }
  const policies: PolicyInput[] = [
    ...live.policies.map((manifest) => {
      const meta = (manifest.metadata ?? {}) as { name?: string; namespace?: string };
      return {
        manifest,
        source: `live ${String(manifest.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}`,
      };
    }),
    ...extraPolicies,
  ];
  // A node as `nodes` peers see it: labels and every address of status.addresses (the engine keeps the IPs).
  const nodes = live.nodes?.map((n) => ({
    name: n.metadata?.name ?? '',
    labels: n.metadata?.labels ?? {},
    addresses: (n.status?.addresses ?? []).map((a) => a.address),
  }));
  const input = { namespaces, workloads, services: live.services.map(serviceOf), policies };
  return { input: nodes ? { ...input, nodes } : input, warnings };
}
