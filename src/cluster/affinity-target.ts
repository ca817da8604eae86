// The target of a zone-affinity check as the cluster describes it: the Service its URL names (`get
// services`), what it asks for (`spec.trafficDistribution`, `spec.internalTrafficPolicy`) and its
// endpoints as its EndpointSlices list them (`list endpointslices`, discovery.k8s.io/v1): each
// endpoint's pod (`targetRef`), addresses, node (`nodeName`) and zone (`zone`, which the EndpointSlice
// controller copies from the node's topology.kubernetes.io/zone label), whether it is ready, and whether
// it carries the zone hint kube-proxy needs to honour the setting (`hints.forZones`).

import type { V1Endpoint, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { AffinityEndpoint, AffinityTarget } from '../model/affinity-judgement.ts';
import type { TargetAddress } from '../model/target.ts';
import type { KubeApi } from './kube-api.ts';
import { serviceRefOf } from './service-host.ts';

/** The settings that ask kube-proxy for close endpoints through the slices' hints (trafficdist.go). */
const CLOSE = new Set(['PreferClose', 'PreferSameZone', 'PreferSameNode']);

/** One endpoint as the slices of a port list it, merged across address types (a dual-stack pod is in two). */
interface Merged {
  pod: string;
  ips: string[];
  node: string | undefined;
  zone: string | undefined;
  ready: boolean;
  hinted: boolean;
}

/**
 * `ready` as discovery.k8s.io/v1 defines it: unset means ready; the controller writes false for a pod
 * that is not Ready or is terminating (staging/src/k8s.io/endpointslice/utils.go, podToEndpoint).
 */
const isReady = (endpoint: V1Endpoint): boolean => endpoint.conditions?.ready !== false;

/**
 * Whether the endpoint has the hint kube-proxy looks for: pkg/proxy/topology.go (canUseTopology) ignores
 * every hint of a Service as soon as one ready endpoint has no zone hint, and the EndpointSlice
 * controller writes `forZones: [its zone]` on every ready endpoint with a zone for PreferClose and
 * PreferSameZone (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go, preferCloseHeuristic).
 */
const hasZoneHint = (endpoint: V1Endpoint): boolean => (endpoint.hints?.forZones ?? []).length > 0;

/**
 * The target's facts from the Service and its slices, only the slices that list the Service port
 * `portName` (a slice without ports serves none). Endpoints without a pod are named by their address.
 */
export function affinityTargetOf(
  service: V1Service,
  slices: readonly V1EndpointSlice[],
  portName: string,
): AffinityTarget {
  const merged = new Map<string, Merged>();
  for (const slice of slices) {
    if (!(slice.ports ?? []).some((p) => (p.name ?? '') === portName)) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const pod = endpoint.targetRef?.name ?? endpoint.addresses[0] ?? '';
      const seen = merged.get(pod) ?? { pod, ips: [], node: undefined, zone: undefined, ready: false, hinted: true };
      seen.ips.push(...endpoint.addresses.filter((ip) => !seen.ips.includes(ip)));
      seen.node ??= endpoint.nodeName;
      seen.zone ??= endpoint.zone;
      if (isReady(endpoint)) {
        seen.ready = true;
        seen.hinted &&= hasZoneHint(endpoint);
      }
      merged.set(pod, seen);
    }
  }
  const endpoints: AffinityEndpoint[] = [...merged.values()].map((e) => ({
    pod: e.pod,
    ips: e.ips,
    node: e.node ?? '(no node named)',
    ...(e.zone ? { zone: e.zone } : {}),
    ready: e.ready,
  }));
  const spec = service.spec ?? {};
  const distribution = spec.trafficDistribution;
  const unhinted = [...merged.values()].filter((e) => e.ready && !e.hinted).length;
  return {
    service: `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`,
    ...(distribution ? { trafficDistribution: distribution } : {}),
    ...(spec.internalTrafficPolicy ? { internalTrafficPolicy: spec.internalTrafficPolicy } : {}),
    endpoints,
    // Hints matter only where the setting works through them (not internalTrafficPolicy: Local).
    ...(distribution && CLOSE.has(distribution) && spec.internalTrafficPolicy !== 'Local' && unhinted > 0
      ? { unhinted }
      : {}),
  };
}

/**
 * Reads the Service a check's URL names (its DNS name, or a single label in the source's namespace)
 * and its EndpointSlices; `why` when the URL names no Service or the Service lacks the port. API errors
 * are thrown (a 403 names the permission).
 */
export async function readAffinityTarget(
  api: Pick<KubeApi, 'readService' | 'listEndpointSlices'>,
  address: TargetAddress,
  sourceNamespace: string,
  clusterDomain: string,
): Promise<AffinityTarget | { why: string }> {
  const ref = address.host.includes('.')
    ? serviceRefOf(address.host, clusterDomain)
    : { namespace: sourceNamespace, name: address.host.toLowerCase() };
  if (!ref)
    return {
      why: `${address.host} names no Service (NAME.NAMESPACE.svc.${clusterDomain}): no endpoints with zones to judge`,
    };
  const service = await api.readService(ref.namespace, ref.name);
  const port = (service.spec?.ports ?? []).find((p) => p.port === address.port);
  if (!port) return { why: `Service ${ref.namespace}/${ref.name} has no port ${address.port}` };
  const slices = await api.listEndpointSlices(ref.namespace, ref.name);
  return affinityTargetOf(service, slices, port.name ?? '');
}
