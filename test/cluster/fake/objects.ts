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
}

const iso = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** A Running pod of a workload, Ready or not, with the status fields a kubelet reports. */
export function workloadPod(fixture: PodFixture): Json {
  const ready = fixture.ready ?? true;
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
    metadata: { name: fixture.name, namespace: fixture.namespace, labels: fixture.labels, creationTimestamp: created },
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
      ...(fixture.securityContext ? { securityContext: fixture.securityContext } : {}),
    },
    status: {
      phase: 'Running',
      podIP: fixture.ip ?? '10.244.0.10',
      podIPs: [{ ip: fixture.ip ?? '10.244.0.10' }],
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
          restartCount: 0,
          started: true,
          state: { running: { startedAt: created } },
        },
      ],
    },
  };
}

/** A Service and the EndpointSlice the endpoint controller would publish for it. */
export interface ServiceFixture {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly { name?: string; port: number; targetPort?: number }[];
  /** Backend addresses and whether each is ready. */
  readonly endpoints: readonly { ip: string; ready: boolean }[];
  readonly type?: 'ClusterIP' | 'ExternalName';
  /** Pod selector (the policy model finds backends through it). */
  readonly selector?: Record<string, string>;
}

export function service(fixture: ServiceFixture): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: fixture.name, namespace: fixture.namespace },
    spec: {
      type: fixture.type ?? 'ClusterIP',
      ...(fixture.selector ? { selector: fixture.selector } : {}),
      ...(fixture.type === 'ExternalName' ? { externalName: 'example.org' } : { clusterIP: '10.96.0.20' }),
      ports: fixture.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        protocol: 'TCP',
      })),
    },
  };
}

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
    ports: fixture.ports.map((p) => ({ name: p.name ?? '', port: p.targetPort ?? p.port, protocol: 'TCP' })),
    endpoints: fixture.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
    })),
  };
}
