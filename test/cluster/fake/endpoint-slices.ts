// The fake cluster's endpointslice controller: EndpointSlices built from the pods a Service selects, the
// way kube-controller-manager builds them (staging/src/k8s.io/endpointslice: reconciler.go, utils.go),
// with each endpoint's node and zone and, for a Service's trafficDistribution, its hints
// (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go).

import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { endpointSlice, type ServiceFixture } from './objects.ts';

type Json = Record<string, any>;

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Ready condition True: the controller's `serving` (endpointsliceutil.IsPodReady). */
function isPodReady(pod: Json): boolean {
  return (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
}

/** ShouldPodBeInEndpoints(pod, includeTerminating=true): not terminal, and it has an address. */
function shouldBeListed(pod: Json): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  return Boolean(pod.status?.podIP) || (pod.status?.podIPs ?? []).length > 0;
}

/** findPort: a number is taken as it is; a name is looked up among the containers' (and sidecars') ports. */
function findPort(pod: Json, servicePort: Json): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c: Json) => c.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars])
    for (const port of container.ports ?? [])
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
  return undefined;
}

/** getEndpointPorts: the Service's ports this pod has (a headless Service may have none). */
function endpointPorts(service: Json, pod: Json): Json[] {
  const ports: Json[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    // A pod without the named port gets no endpoint port for it (the controller logs and skips it).
    if (port === undefined) continue;
    ports.push({ name: servicePort.name ?? '', port, protocol: servicePort.protocol ?? 'TCP' });
  }
  return ports;
}

/** getAddressTypesForService: its ipFamilies; else its cluster IP's family; headless without either: both. */
function addressTypes(service: Json): string[] {
  const families: string[] = service.spec?.ipFamilies ?? [];
  if (families.length > 0) return families;
  const clusterIP = service.spec?.clusterIP;
  if (clusterIP && clusterIP !== 'None') return [isIPv6(clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** podToEndpoint: `serving` is the pod's Ready condition; `ready` is serving and not terminating, unless published anyway. */
function podToEndpoint(pod: Json, service: Json, addressType: string, nodes: ReadonlyMap<string, Json>): Json {
  const nodeName: string | undefined = pod.spec?.nodeName;
  // The zone is the node's topology.kubernetes.io/zone label, when the node is known and has one.
  const zone: string | undefined = nodeName ? nodes.get(nodeName)?.metadata?.labels?.[ZONE] : undefined;
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ips: string[] = (pod.status?.podIPs ?? []).map((p: Json) => p.ip as string);
  return {
    addresses: ips.filter((ip) => (addressType === 'IPv6') === isIPv6(ip)),
    conditions: { ready, serving, terminating },
    ...(nodeName ? { nodeName } : {}),
    ...(zone ? { zone } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

const ZONE = 'topology.kubernetes.io/zone';
const CLOSE = ['PreferClose', 'PreferSameZone', 'PreferSameNode'];

/**
 * The hints reconciler.go leaves on an endpoint. With the topology annotation (`service.kubernetes.io/
 * topology-mode: Auto`) the topology cache decides, and it needs every node's allocatable CPU, which the
 * fake's nodes never report: it writes none (pkg/controller/endpointslice/topologycache/topologycache.go,
 * AddHints: InsufficientNodeInfo), and trafficDistribution is then not used. Otherwise, for a close
 * trafficDistribution, preferCloseHeuristic: every ready endpoint with a zone gets `forZones: [its zone]`
 * (and `forNodes: [its node]` for PreferSameNode).
 */
function withHints(endpoint: Json, service: Json): Json {
  const mode = service.metadata?.annotations?.['service.kubernetes.io/topology-mode'];
  if (mode === 'Auto' || mode === 'auto') return endpoint;
  const distribution = service.spec?.trafficDistribution;
  if (!CLOSE.includes(distribution) || endpoint.conditions.ready !== true) return endpoint;
  const forZones = endpoint.zone ? [{ name: endpoint.zone }] : undefined;
  const forNodes = distribution === 'PreferSameNode' && endpoint.nodeName ? [{ name: endpoint.nodeName }] : undefined;
  if (!forZones && !forNodes) return endpoint;
  return { ...endpoint, hints: { ...(forZones ? { forZones } : {}), ...(forNodes ? { forNodes } : {}) } };
}

function newSlice(service: Json, addressType: string, ports: Json[], endpoints: Json[], version: number): Json {
  const headless = !service.spec?.clusterIP || service.spec.clusterIP === 'None';
  const suffix = createHash('sha256')
    .update(`${addressType}${JSON.stringify(ports)}`)
    .digest('hex')
    .slice(0, 5);
  return {
    metadata: {
      name: `${service.metadata.name}-${suffix}`,
      namespace: service.metadata.namespace,
      resourceVersion: String(version),
      labels: {
        'kubernetes.io/service-name': service.metadata.name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        ...(headless ? { 'service.kubernetes.io/headless': '' } : {}),
      },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: service.metadata.uid, controller: true },
      ],
    },
    addressType,
    ports,
    endpoints,
  };
}

/**
 * The slices of one Service with a selector: one per address type and set of ports, so a dual-stack
 * pod is listed twice (once per family), and an empty placeholder per address type when no pod is.
 */
export function controllerSlices(
  service: Json,
  pods: readonly Json[],
  version: number,
  nodes: ReadonlyMap<string, Json> = new Map(),
): Json[] {
  const selector: Record<string, string> | undefined = service.spec?.selector;
  if (!selector) return [];
  const selected = pods.filter(
    (pod) =>
      pod.metadata?.namespace === service.metadata.namespace &&
      Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v),
  );
  const slices: Json[] = [];
  for (const addressType of addressTypes(service)) {
    const byPorts = new Map<string, { ports: Json[]; endpoints: Json[] }>();
    for (const pod of selected.filter(shouldBeListed)) {
      const ports = endpointPorts(service, pod);
      const endpoint = withHints(podToEndpoint(pod, service, addressType, nodes), service);
      if (endpoint.addresses.length === 0) continue;
      const portKey = JSON.stringify(ports);
      const group = byPorts.get(portKey) ?? { ports, endpoints: [] };
      group.endpoints.push(endpoint);
      byPorts.set(portKey, group);
    }
    if (byPorts.size === 0) slices.push(newSlice(service, addressType, [], [], version));
    for (const group of byPorts.values())
      slices.push(newSlice(service, addressType, group.ports, group.endpoints, version));
  }
  return slices;
}

/** Every Service's slices: hand-written ones for fixtures with `endpoints`, the controller's for the rest. */
export class FakeEndpointSlices {
  readonly #written = new Map<string, Json>();
  readonly #selecting = new Map<string, Json>();

  /** Registers a Service (its object as stored) with the slices its fixture asks for. */
  add(fixture: ServiceFixture, service: Json, version: number): void {
    if (fixture.endpoints) {
      const slice = endpointSlice(fixture) as Json;
      slice.metadata.resourceVersion = String(version);
      this.#written.set(key(fixture.namespace, fixture.name), slice);
    } else {
      this.#selecting.set(key(fixture.namespace, fixture.name), service);
    }
  }

  /** The slices a list in `namespace` (or all namespaces) returns now, for the pods now stored. */
  list(
    namespace: string | undefined,
    pods: readonly Json[],
    version: number,
    nodes?: ReadonlyMap<string, Json>,
  ): Json[] {
    const inScope = (object: Json): boolean => namespace === undefined || object.metadata.namespace === namespace;
    return [
      ...[...this.#written.values()].filter(inScope),
      ...[...this.#selecting.values()].filter(inScope).flatMap((svc) => controllerSlices(svc, pods, version, nodes)),
    ];
  }
}
