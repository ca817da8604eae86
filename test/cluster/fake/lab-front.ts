// A fake API server in front of a running lab (`prober lab up`): the lab's nodes, pods and Services
// stored as a cluster's API would serve them, read from the lab's state file, so that `prober run`
// finds the lab's pods and its agents run in their network namespaces (the fake kubelet starts them
// with `ip netns exec`, which gives them the lab's /etc/netns/<ns>/resolv.conf: the lab's DNS).

import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { renderKustomization } from '../../k8s/manifests.ts';
import { FakeApiServer } from './apiserver.ts';
import { proberRbac } from './lab.ts';

/** The parts of the lab's state (src/lab/topology-types.ts) the front reads. */
interface LabState {
  readonly topology: {
    readonly nodes: readonly { name: string; labels: Record<string, string> }[];
    readonly pods: readonly {
      namespace: string;
      name: string;
      labels: Record<string, string>;
      node: string;
      netns: string;
      ip: string;
      containers: readonly { ports: readonly { name?: string; containerPort: number }[] }[];
    }[];
    readonly services: readonly {
      namespace: string;
      name: string;
      trafficDistribution?: string;
      internalTrafficPolicy?: 'Cluster' | 'Local';
      ports: readonly {
        name?: string;
        port: number;
        protocol: string;
        endpoints: readonly { pod: string; port: number }[];
      }[];
    }[];
  };
}

/** How the front differs from the lab. */
export interface FrontOptions {
  /** Leave the nodes' topology.kubernetes.io/zone labels out (a cluster whose installer sets none). */
  readonly noZones?: boolean;
  /** Services annotated `service.kubernetes.io/topology-mode: Auto`: the controller's topology cache decides hints. */
  readonly topologyMode?: readonly string[];
}

/** The lab's state file. */
export function labState(name: string): LabState {
  return JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')) as LabState;
}

/**
 * A FakeApiServer (prober's RBAC enforced) holding the lab's nodes, the pods of `namespace` (each on
 * its lab node, in its lab network namespace) and its Services with selectors: the labels every
 * endpoint pod of the Service shares. The fake's controller writes their EndpointSlices.
 */
export async function labFront(
  t: Test,
  lab: string,
  namespace: string,
  options: FrontOptions = {},
): Promise<FakeApiServer> {
  const { topology } = labState(lab);
  const fake = await FakeApiServer.start(t);
  // prober's RBAC with `namespace` added as a source namespace that allows probe pods, as
  // `kubectl apply -n NS -k k8s/prober/source-namespace` (and probe-pod-namespace) would.
  const added = ['source-namespace', 'probe-pod-namespace'].flatMap((base) =>
    renderKustomization(`k8s/prober/${base}`).objects.map(({ object }) => {
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      return { ...object, metadata: { ...metadata, namespace } };
    }),
  );
  fake.enforceRbac([...proberRbac(), ...added]);
  const zone = 'topology.kubernetes.io/zone';
  for (const node of topology.nodes) {
    const { [zone]: zoneLabel, ...rest } = node.labels;
    fake.addNode(node.name, options.noZones || !zoneLabel ? rest : { ...rest, [zone]: zoneLabel });
  }
  fake.addNamespace(namespace, { name: namespace });
  const pods = topology.pods.filter((p) => p.namespace === namespace);
  for (const pod of pods)
    fake.addPod({
      namespace,
      name: pod.name,
      labels: pod.labels,
      netns: pod.netns,
      ip: pod.ip,
      nodeName: pod.node,
      ports: pod.containers.flatMap((c) => c.ports),
    });
  for (const service of topology.services.filter((s) => s.namespace === namespace)) {
    const members = service.ports.flatMap((p) => p.endpoints.map((e) => pods.find((pod) => pod.name === e.pod)));
    const first = members[0];
    if (!first) continue;
    const selector = Object.fromEntries(
      Object.entries(first.labels).filter(([k, v]) => members.every((m) => m?.labels[k] === v)),
    );
    fake.addService({
      namespace,
      name: service.name,
      selector,
      ports: service.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.endpoints[0]?.port ?? p.port,
        protocol: p.protocol,
      })),
      ...(service.trafficDistribution ? { trafficDistribution: service.trafficDistribution } : {}),
      ...(service.internalTrafficPolicy ? { internalTrafficPolicy: service.internalTrafficPolicy } : {}),
      ...(options.topologyMode?.includes(service.name)
        ? { annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } }
        : {}),
    });
  }
  return fake;
}
