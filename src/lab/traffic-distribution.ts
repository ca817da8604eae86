// Which endpoints of a Service a client on a given node reaches, as kube-proxy chooses them: the
// EndpointSlice controller's hints for `trafficDistribution`, then kube-proxy's reading of them
// and of `internalTrafficPolicy`. Pure: the lab compiles the answer into each pod's nftables DNAT.
//
// Upstream (Kubernetes 1.34):
//   staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go  preferCloseHeuristic.update
//   pkg/proxy/topology.go  CategorizeEndpoints, topologyModeFromHints, availableForTopology
//   pkg/proxy/endpointslicecache.go  an endpoint is local when its nodeName is the proxy's node

/** An endpoint as the EndpointSlice lists it: its node, that node's zone, and whether it is ready. */
export interface SliceEndpoint {
  readonly node: string;
  readonly zone?: string;
  readonly ready: boolean;
}

/** The hints the EndpointSlice controller writes on a ready endpoint (none: undefined). */
export interface EndpointHints {
  readonly forZones: readonly string[];
  readonly forNodes: readonly string[];
}

/** The Service fields that steer the choice. */
export interface TrafficSettings {
  readonly trafficDistribution?: string;
  readonly internalTrafficPolicy?: 'Cluster' | 'Local';
}

/** What kube-proxy on one node does with a Service's traffic. */
export type TopologyMode = 'PreferSameNode' | 'PreferSameZone' | 'Local' | 'Cluster';

/** The values the controller gives hints for; PreferClose is PreferSameZone's older name. */
const CLOSE = new Set(['PreferClose', 'PreferSameZone', 'PreferSameNode']);

/**
 * The hints of one endpoint (trafficdist.go, preferCloseHeuristic.update): for a close
 * distribution, a ready endpoint is hinted for its own zone (when its node has one) and, for
 * PreferSameNode only, for its own node; any other value (or none) clears every hint.
 */
export function hintsOf(endpoint: SliceEndpoint, trafficDistribution: string | undefined): EndpointHints | undefined {
  if (trafficDistribution === undefined || !CLOSE.has(trafficDistribution) || !endpoint.ready) return undefined;
  const forZones = endpoint.zone ? [endpoint.zone] : [];
  const forNodes = trafficDistribution === 'PreferSameNode' ? [endpoint.node] : [];
  return forZones.length + forNodes.length > 0 ? { forZones, forNodes } : undefined;
}

/**
 * topologyModeFromHints: same node when every ready endpoint has a node hint and one is for this
 * node; otherwise same zone when every ready endpoint has a zone hint and one is for this zone;
 * otherwise no topology. (The PreferSameTrafficDistribution gate is taken as on, its 1.34 default.)
 */
function modeFromHints(
  hinted: readonly { readonly ready: boolean; readonly hints: EndpointHints | undefined }[],
  node: string,
  zone: string | undefined,
): 'PreferSameNode' | 'PreferSameZone' | 'Cluster' {
  const ready = hinted.filter((e) => e.ready);
  if (ready.length === 0) return 'Cluster';
  const nodeHints = ready.map((e) => e.hints?.forNodes ?? []);
  if (nodeHints.every((h) => h.length > 0) && nodeHints.some((h) => h.includes(node))) return 'PreferSameNode';
  const zoneHints = ready.map((e) => e.hints?.forZones ?? []);
  if (zoneHints.every((h) => h.length > 0) && zone !== undefined && zoneHints.some((h) => h.includes(zone)))
    return 'PreferSameZone';
  return 'Cluster';
}

/**
 * The endpoints (indexes into `endpoints`) that kube-proxy on `node` (in `zone`) sends a Service's
 * in-cluster traffic to, and the mode it chose. `internalTrafficPolicy: Local` uses the node's own
 * ready endpoints and drops the traffic when there are none (no fallback); otherwise the hints
 * pick same-node or same-zone endpoints while any such is ready, else every ready endpoint. The
 * lab has no terminating endpoints, so the serving-terminating fallback never applies.
 */
export function endpointsFor<E extends SliceEndpoint>(
  endpoints: readonly E[],
  settings: TrafficSettings,
  node: string,
  zone: string | undefined,
): { mode: TopologyMode; chosen: number[] } {
  const indexes = endpoints.map((_, i) => i);
  if (settings.internalTrafficPolicy === 'Local')
    return { mode: 'Local', chosen: indexes.filter((i) => endpoints[i]!.ready && endpoints[i]!.node === node) };
  const hinted = endpoints.map((e) => ({ ready: e.ready, hints: hintsOf(e, settings.trafficDistribution) }));
  const mode = modeFromHints(hinted, node, zone);
  const available = (i: number): boolean => {
    const hints = hinted[i]!.hints;
    if (mode === 'PreferSameNode') return hints?.forNodes.includes(node) ?? false;
    if (mode === 'PreferSameZone') return zone !== undefined && (hints?.forZones.includes(zone) ?? false);
    return true;
  };
  return { mode, chosen: indexes.filter((i) => endpoints[i]!.ready && available(i)) };
}
