// Builders for the objects a test puts into the fake cluster: workload pods, Services with EndpointSlices.

type Json = Record<string, unknown>;

/** A workload pod as a test declares it. */
export interface PodFixture {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Ready condition; default true. */
  readonly ready?: boolean;
  readonly serviceAccountName?: string;
  /** Network namespace the pod "lives" in: agents for it (and probe pods with its labels) run there. */
  readonly netns?: string;
  readonly ip?: string;
  /** Age in seconds, to test which pod is picked; default 3600. */
  readonly ageSeconds?: number;
  /** Container ports of its main container. */
  readonly ports?: readonly { name?: string; containerPort: number }[];
  /** Image of its main container; default a workload image. */
  readonly image?: string;
  /** Its status `imageID`: what the runtime resolved the image to (`repo@sha256:…`); default none yet. */
  readonly imageID?: string;
  /** The pod-level securityContext (e.g. `{ runAsUser: 0 }`: the pod runs as root). */
  readonly securityContext?: Json;
  /** All its addresses (`status.podIPs`), e.g. an IPv4 and an IPv6 one on a dual-stack cluster; default `[ip]`. */
  readonly ips?: readonly string[];
  /** Being deleted: a deletionTimestamp with its grace period still running. */
  readonly terminating?: boolean;
  /** Its container keeps crashing: waiting in CrashLoopBackOff, restarted, not Ready. */
  readonly crashLooping?: boolean;
  /** Its phase; default Running. A Succeeded or Failed pod is terminal. */
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** The node it was scheduled to (`spec.nodeName`); default none named. */
  readonly nodeName?: string;
}

const iso = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** A Running pod of a workload, Ready or not, with the status fields a kubelet reports. */
export function workloadPod(fixture: PodFixture): Json {
  const ready = (fixture.ready ?? true) && !fixture.crashLooping;
  const ips = fixture.ips ?? [fixture.ip ?? '10.244.0.10'];
  const created = iso(new Date(Date.now() - (fixture.ageSeconds ?? 3600) * 1000));
  const condition = (type: string, status: boolean, reason?: string): Json => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: created,
    ...(reason ? { reason } : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: fixture.name,
      namespace: fixture.namespace,
      labels: fixture.labels,
      creationTimestamp: created,
      ...(fixture.terminating ? { deletionTimestamp: iso(new Date()), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      serviceAccountName: fixture.serviceAccountName ?? 'default',
      containers: [
        {
          name: 'main',
          image: fixture.image ?? 'registry.example/workload:1',
          ...(fixture.ports ? { ports: fixture.ports.map((p) => ({ ...p, protocol: 'TCP' })) } : {}),
        },
      ],
      restartPolicy: 'Always',
      ...(fixture.nodeName ? { nodeName: fixture.nodeName } : {}),
      ...(fixture.securityContext ? { securityContext: fixture.securityContext } : {}),
    },
    status: {
      phase: fixture.phase ?? 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', ready, ready ? undefined : 'ContainersNotReady'),
        condition('Ready', ready, ready ? undefined : 'ContainersNotReady'),
      ],
      containerStatuses: [
        {
          name: 'main',
          image: fixture.image ?? 'registry.example/workload:1',
          imageID: fixture.imageID ?? '',
          ready,
          ...(fixture.crashLooping
            ? {
                restartCount: 5,
                started: false,
                state: {
                  waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' },
                },
                lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: created, finishedAt: created } },
              }
            : { restartCount: 0, started: true, state: { running: { startedAt: created } } }),
        },
      ],
    },
  };
}

/**
 * A Service. With `endpoints`, its one EndpointSlice is written by hand (as for a Service without a
 * selector, whose slices someone else manages); without, the fake's endpointslice controller
 * (endpoint-slices.ts) publishes slices for the pods its selector matches, as kube-controller-manager does.
 */
export interface ServiceFixture {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  /** Backend addresses and whether each is ready: a hand-written slice. */
  readonly endpoints?: readonly { ip: string; ready: boolean }[];
  readonly type?: 'ClusterIP' | 'ExternalName';
  /** Pod selector (the policy model and the endpointslice controller find backends through it). */
  readonly selector?: Record<string, string>;
  /** `clusterIP: None`. */
  readonly headless?: boolean;
  /** Publish every endpoint as ready, Ready pod or not (StatefulSet peer discovery uses it). */
  readonly publishNotReadyAddresses?: boolean;
  /** Its IP families; default IPv4 only. */
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  /** `spec.trafficDistribution` (PreferClose …): the controller's slices then carry zone hints (endpoint-slices.ts). */
  readonly trafficDistribution?: string;
  readonly internalTrafficPolicy?: 'Cluster' | 'Local';
  readonly annotations?: Record<string, string>;
}

export function service(fixture: ServiceFixture): Json {
  const families = fixture.ipFamilies ?? ['IPv4'];
  const clusterIPs = fixture.headless ? ['None'] : families.map((f) => (f === 'IPv4' ? '10.96.0.20' : 'fd00:96::20'));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: fixture.name,
      namespace: fixture.namespace,
      uid: `uid-svc-${fixture.name}`,
      ...(fixture.annotations ? { annotations: fixture.annotations } : {}),
    },
    spec: {
      type: fixture.type ?? 'ClusterIP',
      ...(fixture.selector ? { selector: fixture.selector } : {}),
      ...(fixture.type === 'ExternalName'
        ? { externalName: 'example.org' }
        : {
            clusterIP: clusterIPs[0],
            clusterIPs,
            ipFamilies: families,
            ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack',
          }),
      ...(fixture.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...(fixture.trafficDistribution ? { trafficDistribution: fixture.trafficDistribution } : {}),
      ...(fixture.internalTrafficPolicy ? { internalTrafficPolicy: fixture.internalTrafficPolicy } : {}),
      ports: fixture.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    },
  };
}

/** The hand-written slice of a fixture with `endpoints`. */
export function endpointSlice(fixture: ServiceFixture): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${fixture.name}-abcde`,
      namespace: fixture.namespace,
      labels: {
        'kubernetes.io/service-name': fixture.name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    ports: fixture.ports.map((p) => ({
      name: p.name ?? '',
      port: p.targetPort ?? p.port,
      protocol: p.protocol ?? 'TCP',
    })),
    endpoints: (fixture.endpoints ?? []).map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
    })),
  };
}
