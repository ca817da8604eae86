// Derives the lab from Kubernetes manifests: which pods exist, their addresses, Services and their endpoints.

import { configErrorAt } from '../config/config-error.ts';
import { netnsName, nodeNetnsName } from './names.ts';
import { daemonNodes, labNodes, placer } from './placement.ts';
import type { LabContainer, LabPod, LabService, LabServicePort, LabTopology } from './topology-types.ts';

type Obj = Record<string, unknown>;

/** One manifest object and where it came from. */
export interface ManifestInput {
  readonly value: unknown;
  readonly source: string;
}

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

// The lab's address plan in both families, as a dual-stack cluster's: pods and Services each get an
// IPv4 and an IPv6 address, IPv4 first (the order of a pod's status.podIPs and a Service's clusterIPs).

/** The pod network: the node's bridge holds the first address of each family. */
const POD_NETWORK = {
  ipv4: { node: '10.244.0.1', prefixLength: 16 },
  ipv6: { node: 'fd00:10:244::1', prefixLength: 64 },
} as const;

/** Pod address n (n ≥ 0) of each family: 10.244.0.0/16 and fd00:10:244::/64, after the node's. */
function podIps(n: number): [string, string] {
  const host = n + 2;
  return [`10.244.${Math.floor(host / 256)}.${host % 256}`, `fd00:10:244::${host.toString(16)}`];
}

/** Virtual Service address n of each family: 10.96.0.0/16 and fd00:10:96::/112, as a cluster's ClusterIP ranges. */
function serviceIps(n: number): [string, string] {
  const host = n + 10;
  return [`10.96.${Math.floor(host / 256)}.${host % 256}`, `fd00:10:96::${host.toString(16)}`];
}

/** The workload kinds the lab runs a pod for (besides bare Pods), from their pod template. */
export const TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** A Service's declared `spec.clusterIP` when it lies in the lab's IPv4 Service range (10.96.0.0/16). */
function declaredIp(m: ManifestInput): string | undefined {
  const ip = obj(obj(m.value).spec).clusterIP;
  return typeof ip === 'string' && /^10\.96\.\d{1,3}\.\d{1,3}$/.test(ip) ? ip : undefined;
}

/** The IPv6 virtual address paired with an IPv4 one of the Service range: 10.96.0.10 ↔ fd00:10:96::a. */
function pairedIpv6(ipv4: string): string {
  const [, , third, fourth] = ipv4.split('.').map(Number);
  return `fd00:10:96::${((third ?? 0) * 256 + (fourth ?? 0)).toString(16)}`;
}

/**
 * Virtual IPs of the Services in order, IPv4 then IPv6 (`spec.clusterIPs`): a declared IPv4 address
 * is kept (the cluster DNS's 10.96.0.10), the others get the next free ones from 10.96.0.10 on; the
 * IPv6 address pairs with the IPv4 one. A headless Service (`clusterIP: None`) gets none.
 */
function serviceIpsOf(services: readonly ManifestInput[]): (readonly string[])[] {
  const taken = new Set(services.map(declaredIp).filter((ip) => ip !== undefined));
  let next = 0;
  return services.map((m) => {
    if (obj(obj(m.value).spec).clusterIP === 'None') return [];
    let ipv4 = declaredIp(m);
    if (!ipv4) {
      while (taken.has(serviceIps(next)[0])) next++;
      ipv4 = serviceIps(next)[0];
      taken.add(ipv4);
    }
    return [ipv4, pairedIpv6(ipv4)];
  });
}

/** Most replicas the lab runs of one workload: each is a network namespace and its programs. */
const MAX_REPLICAS = 64;

/**
 * The downward API fields an env var may name (`valueFrom.fieldRef.fieldPath`), as the pod has them.
 * `status.hostIP` is the lab node's bridge address: every emulated node shares it.
 */
type PodFields = Readonly<Record<string, string>>;

function containersOf(spec: Obj, fields: PodFields): LabContainer[] {
  return list(spec.containers).map((c) => {
    const container = obj(c);
    const env = Object.fromEntries(
      list(container.env)
        .map(obj)
        .flatMap((e): [string, string][] => {
          if (typeof e.name !== 'string') return [];
          if (typeof e.value === 'string') return [[e.name, e.value]];
          const path = obj(obj(e.valueFrom).fieldRef).fieldPath;
          const value = typeof path === 'string' ? fields[path] : undefined;
          return value === undefined ? [] : [[e.name, value]];
        }),
    );
    return {
      name: String(container.name ?? 'main'),
      image: String(container.image ?? ''),
      command: list(container.command).map(String),
      args: list(container.args).map(String),
      env,
      ports: list(container.ports)
        .map(obj)
        .filter((p) => typeof p.containerPort === 'number')
        .map((p) => ({
          ...(typeof p.name === 'string' ? { name: p.name } : {}),
          containerPort: p.containerPort as number,
          protocol: ((p.protocol as string | undefined) ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP',
        })),
      volumeMounts: list(container.volumeMounts)
        .map(obj)
        .map((m) => ({ name: String(m.name), mountPath: String(m.mountPath) })),
    };
  });
}

/** How many pods a workload runs: `spec.replicas` (default 1) of a Deployment, StatefulSet or ReplicaSet; a Pod one. */
function replicasOf(m: ManifestInput, kind: string): number {
  const replicas = obj(obj(m.value).spec).replicas;
  if (kind === 'Pod' || replicas === undefined) return 1;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS)
    throw configErrorAt(
      m.source,
      'spec.replicas',
      `the lab runs 0 to ${MAX_REPLICAS} replicas of a workload, got ${JSON.stringify(replicas)}`,
    );
  return replicas;
}

/**
 * Builds the lab topology: `spec.replicas` pods per Deployment, StatefulSet or ReplicaSet (named
 * `<workload>-0`, `-1` …), one per node a DaemonSet may run on, one per bare Pod, each placed on an emulated node
 * (placement.ts), addresses in declaration order, Services resolved to their endpoints. The names
 * must have been checked (checkManifestNames); two pods that would get the same network namespace
 * are refused here, naming both.
 */
export function deriveTopology(lab: string, manifests: readonly ManifestInput[]): LabTopology {
  const byKind = (kind: string) => manifests.filter((m) => obj(m.value).kind === kind);
  const namespaces = byKind('Namespace').map((m) => {
    const meta = obj(obj(m.value).metadata);
    const name = String(meta.name);
    return { name, labels: { 'kubernetes.io/metadata.name': name, ...strings(meta.labels) } };
  });
  const configMaps = new Map(
    byKind('ConfigMap').map((m) => {
      const meta = obj(obj(m.value).metadata);
      return [`${String(meta.namespace ?? 'default')}/${String(meta.name)}`, strings(obj(m.value).data)] as const;
    }),
  );
  const nodes = labNodes(manifests);
  const place = placer(nodes);
  const pods: LabPod[] = [];
  for (const m of manifests) {
    const object = obj(m.value);
    const kind = String(object.kind ?? '');
    if (!TEMPLATE_KINDS.has(kind) && kind !== 'Pod') continue;
    const meta = obj(object.metadata);
    // Unnamed objects are not Kubernetes objects; the policy model skips them too.
    if (typeof meta.name !== 'string') continue;
    const namespace = String(meta.namespace ?? 'default');
    const template = kind === 'Pod' ? object : obj(obj(object.spec).template);
    const podMeta = obj(template.metadata);
    const podSpec = obj(template.spec);
    if (podSpec.hostNetwork === true) continue;
    const workload = String(meta.name);
    const configVolumes: Record<string, Record<string, string>> = {};
    for (const volume of list(podSpec.volumes).map(obj)) {
      const configMap = obj(volume.configMap);
      if (typeof configMap.name === 'string')
        configVolumes[String(volume.name)] = configMaps.get(`${namespace}/${configMap.name}`) ?? {};
    }
    const specPath = kind === 'Pod' ? 'spec' : 'spec.template.spec';
    // A DaemonSet runs one pod on each node it may run on, pinned there.
    const daemon = kind === 'DaemonSet' ? daemonNodes(podSpec, nodes) : undefined;
    for (let replica = 0; replica < (daemon?.length ?? replicasOf(m, kind)); replica++) {
      const name = kind === 'Pod' ? workload : `${workload}-${replica}`;
      const netns = netnsName(lab, namespace, name);
      const twin = pods.find((p) => p.netns === netns);
      if (twin)
        throw configErrorAt(
          m.source,
          'metadata.name',
          `pod ${namespace}/${name} would share the network namespace ${netns} with pod ${twin.namespace}/${twin.name} (${twin.source})`,
        );
      const pinned = daemon ? { ...podSpec, nodeName: daemon[replica]!.name } : podSpec;
      const node = place(pinned, m.source, `${namespace}/${name}`, specPath, `${namespace}/${workload}`);
      const ips = podIps(pods.length);
      const serviceAccount = String(podSpec.serviceAccountName ?? 'default');
      const fields: PodFields = {
        'metadata.name': name,
        'metadata.namespace': namespace,
        'spec.nodeName': node.name,
        'spec.serviceAccountName': serviceAccount,
        'status.podIP': ips[0],
        'status.hostIP': POD_NETWORK.ipv4.node,
      };
      pods.push({
        namespace,
        name,
        workload: `${namespace}/${workload}`,
        labels: strings((kind === 'Pod' ? meta : podMeta).labels),
        serviceAccount,
        node: node.name,
        netns,
        ip: ips[0],
        ips,
        containers: containersOf(podSpec, fields),
        configVolumes,
        source: m.source,
      });
    }
  }
  const ips = serviceIpsOf(byKind('Service'));
  const services = byKind('Service').map((m, index) => serviceOf(m, ips[index]!, pods));
  return {
    lab,
    nodeNetns: nodeNetnsName(lab),
    nodeIp: POD_NETWORK.ipv4.node,
    prefixLength: POD_NETWORK.ipv4.prefixLength,
    nodeIp6: POD_NETWORK.ipv6.node,
    prefixLength6: POD_NETWORK.ipv6.prefixLength,
    namespaces,
    nodes,
    pods,
    services,
    extraHosts: ingressHosts(byKind('Ingress'), services),
  };
}

function selects(selector: Record<string, string>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function serviceOf(m: ManifestInput, clusterIps: readonly string[], pods: readonly LabPod[]): LabService {
  const object = obj(m.value);
  const meta = obj(object.metadata);
  const spec = obj(object.spec);
  const namespace = String(meta.namespace ?? 'default');
  const name = String(meta.name);
  const selector = strings(spec.selector);
  const members = pods.filter((p) => p.namespace === namespace && selects(selector, p.labels));
  const ports: LabServicePort[] = list(spec.ports)
    .map(obj)
    .map((p) => {
      const protocol = ((p.protocol as string | undefined) ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP';
      const target = p.targetPort ?? p.port;
      const endpoints = members.flatMap((pod) => {
        const port =
          typeof target === 'number'
            ? target
            : pod.containers.flatMap((c) => c.ports).find((cp) => cp.name === target && cp.protocol === protocol)
                ?.containerPort;
        return port === undefined ? [] : [{ pod: pod.name, node: pod.node, ip: pod.ip, ips: pod.ips, port }];
      });
      return { ...(typeof p.name === 'string' ? { name: p.name } : {}), port: Number(p.port), protocol, endpoints };
    });
  return {
    namespace,
    name,
    // Headless: no virtual IP, as the API server writes it (`None`).
    clusterIp: clusterIps[0] ?? 'None',
    clusterIps,
    dnsNames: [`${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}.svc`, `${name}.${namespace}`],
    ports,
    ...(typeof spec.trafficDistribution === 'string' ? { trafficDistribution: spec.trafficDistribution } : {}),
    ...(spec.internalTrafficPolicy === 'Local' || spec.internalTrafficPolicy === 'Cluster'
      ? { internalTrafficPolicy: spec.internalTrafficPolicy }
      : {}),
  };
}

/** Ingress hosts resolve to their backend Service: the lab stands in for the ingress controller's routing. */
function ingressHosts(
  ingresses: readonly ManifestInput[],
  services: readonly LabService[],
): { name: string; ip: string; ips: readonly string[] }[] {
  const hosts: { name: string; ip: string; ips: readonly string[] }[] = [];
  for (const m of ingresses) {
    const object = obj(m.value);
    const namespace = String(obj(object.metadata).namespace ?? 'default');
    for (const rule of list(obj(object.spec).rules).map(obj)) {
      const backend = list(obj(rule.http).paths).map((p) => obj(obj(obj(p).backend).service))[0];
      const service = services.find((s) => s.namespace === namespace && s.name === backend?.name);
      if (
        typeof rule.host === 'string' &&
        service &&
        service.clusterIp !== 'None' &&
        !hosts.some((h) => h.name === rule.host)
      )
        hosts.push({ name: rule.host, ip: service.clusterIp, ips: service.clusterIps });
    }
  }
  return hosts;
}
