// The cluster as the engine sees it: namespaces and workloads (pods merged by identical labels).
import { compareText } from '../model/names.ts';
import { type Address, parseAddress } from './cidr.ts';
import {
  CILIUM_CLUSTER_KEY,
  CILIUM_NAMESPACE_KEY,
  CILIUM_NAMESPACE_LABELS_PREFIX,
  CILIUM_SERVICE_ACCOUNT_KEY,
} from './cilium.ts';
import { buildNodes, type NodeInfo } from './nodes.ts';
import type { ContainerPort } from './ports.ts';
import type { ClusterInput, Labels, ModelOptions, WorkloadInput } from './types.ts';

/** The label the API server puts on every namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace; its workloads are the contiguous index range [first, end). */
export interface NamespaceInfo {
  readonly index: number;
  readonly name: string;
  readonly labels: Labels;
  first: number;
  end: number;
}

/** One peer of the matrix: pods of a namespace that no policy can tell apart. */
export interface Workload {
  readonly index: number;
  /** `namespace/name`, unique in the model. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string | undefined;
  /** Names of the inputs merged into this workload. */
  readonly members: readonly string[];
  readonly labels: Labels;
  readonly serviceAccount: string;
  readonly ports: readonly ContainerPort[];
  readonly ips: readonly string[];
  readonly addresses: readonly Address[];
  /** True when every merged pod came with its IPs; otherwise CIDR rules cannot be decided for it. */
  readonly ipsKnown: boolean;
  /** Has an Istio sidecar (or is in ambient mode). */
  readonly mesh: boolean;
  /** Labels as Cilium sees the endpoint (adds namespace, namespace labels, service account). */
  readonly ciliumLabels: Labels;
  readonly sources: readonly string[];
}

export interface Cluster {
  readonly namespaces: readonly NamespaceInfo[];
  readonly namespaceByName: ReadonlyMap<string, NamespaceInfo>;
  readonly workloads: readonly Workload[];
  readonly workloadById: ReadonlyMap<string, Workload>;
  readonly workloadByIp: ReadonlyMap<string, Workload>;
  /** The nodes, when the inputs give them (ClusterNetworkPolicy `nodes` peers). */
  readonly nodes: readonly NodeInfo[] | undefined;
}

function canonical(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
}

function inferMesh(input: WorkloadInput, nsLabels: Labels, options: ModelOptions): boolean {
  if (input.mesh !== undefined) return input.mesh;
  if (options.assumeMesh) return true;
  const pod = input.labels['sidecar.istio.io/inject'];
  const injection = nsLabels['istio-injection'];
  if (pod === 'false') return false;
  // Istio's `object` webhook takes a pod's opt-in only where the namespace has no istio-injection label
  // (`namespace` takes it where the label is `enabled`): `disabled`, or any other value, keeps it out.
  if (pod === 'true' && (injection === undefined || injection === 'enabled')) return true;
  if (input.labels['istio.io/dataplane-mode'] === 'ambient' || nsLabels['istio.io/dataplane-mode'] === 'ambient')
    return true;
  if (injection === 'enabled') return true;
  // The revision webhooks need istio-injection absent, like `object`.
  return injection === undefined && nsLabels['istio.io/rev'] !== undefined;
}

function ciliumView(labels: Labels, ns: NamespaceInfo, serviceAccount: string, cluster: string): Labels {
  const out: Record<string, string> = { ...labels };
  for (const [k, v] of Object.entries(ns.labels)) out[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
  out[CILIUM_NAMESPACE_KEY] = ns.name;
  out[CILIUM_SERVICE_ACCOUNT_KEY] = serviceAccount;
  out[CILIUM_CLUSTER_KEY] = cluster;
  return out;
}

/** Pods that no policy can tell apart, on their way to becoming one workload. */
interface Group {
  input: WorkloadInput;
  name: string;
  members: string[];
  ips: string[];
  ipsKnown: boolean;
  sources: string[];
  mesh: boolean;
  ports: ContainerPort[];
}

/** Every namespace declared or used by a workload, sorted by name, each with its implied name label. */
function namespaceInfos(input: ClusterInput): NamespaceInfo[] {
  const nsLabels = new Map<string, Labels>();
  for (const ns of input.namespaces ?? []) {
    if (nsLabels.has(ns.name)) throw new Error(`namespace ${ns.name} is declared twice`);
    // The API server always sets this label to the namespace's name.
    nsLabels.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
  }
  for (const w of input.workloads) {
    if (!nsLabels.has(w.namespace)) nsLabels.set(w.namespace, { [NAMESPACE_NAME_LABEL]: w.namespace });
  }
  const names = [...nsLabels.keys()].sort();
  return names.map((name, index) => ({ index, name, labels: nsLabels.get(name)!, first: 0, end: 0 }));
}

/** Merges pods with identical namespace, labels, service account, ports and mesh membership. */
function groupPods(
  input: ClusterInput,
  namespaceByName: ReadonlyMap<string, NamespaceInfo>,
  options: ModelOptions,
): Group[] {
  const groups = new Map<string, Group>();
  for (const w of input.workloads) {
    const ns = namespaceByName.get(w.namespace)!;
    const mesh = inferMesh(w, ns.labels, options);
    const ports: ContainerPort[] = (w.ports ?? []).map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol ?? 'TCP',
    }));
    const key = [w.namespace, canonical(w.labels), w.serviceAccount ?? 'default', JSON.stringify(ports), mesh].join(
      '\u0000',
    );
    let group = groups.get(key);
    if (!group) {
      group = { input: w, name: w.owner ?? w.name, members: [], ips: [], ipsKnown: true, sources: [], mesh, ports };
      groups.set(key, group);
    }
    group.members.push(w.name);
    group.ips.push(...(w.ips ?? []));
    // A template (Deployment …) or a pending pod has no IP: the group's addresses are then incomplete.
    if (!w.ips || w.ips.length === 0) group.ipsKnown = false;
    if (w.source) group.sources.push(w.source);
  }
  return [...groups.values()];
}

/**
 * Pods of one owner with different labels (a StatefulSet's pods carry their own name) are told
 * apart by the pod's name when a group holds one pod, rather than by an opaque `#2`.
 */
function nameLonePods(groups: readonly Group[]): void {
  const perOwner = new Map<string, number>();
  for (const g of groups)
    if (g.input.owner)
      perOwner.set(`${g.input.namespace}/${g.name}`, (perOwner.get(`${g.input.namespace}/${g.name}`) ?? 0) + 1);
  for (const g of groups) {
    if (g.input.owner && g.members.length === 1 && perOwner.get(`${g.input.namespace}/${g.name}`)! > 1)
      g.name = g.members[0]!;
  }
}

/** The workloads of sorted groups, each with a unique id, its addresses and its Cilium labels. */
function toWorkloads(
  sorted: readonly Group[],
  namespaceByName: ReadonlyMap<string, NamespaceInfo>,
  options: ModelOptions,
): Workload[] {
  const workloads: Workload[] = [];
  const ids = new Set<string>();
  for (const g of sorted) {
    const ns = namespaceByName.get(g.input.namespace)!;
    let id = `${ns.name}/${g.name}`;
    // Pods of one owner with different labels (e.g. mid-rollout) are different peers.
    for (let n = 2; ids.has(id); n++) id = `${ns.name}/${g.name}#${n}`;
    ids.add(id);
    const addresses = g.ips.map((ip) => {
      const a = parseAddress(ip);
      if (!a) throw new Error(`workload ${id}: "${ip}" is not an IP address`);
      return a;
    });
    const serviceAccount = g.input.serviceAccount ?? 'default';
    workloads.push({
      index: workloads.length,
      id,
      namespace: ns.name,
      name: id.slice(ns.name.length + 1),
      kind: g.input.kind,
      members: g.members,
      labels: { ...g.input.labels },
      serviceAccount,
      ports: g.ports,
      ips: g.ips,
      addresses,
      ipsKnown: g.ipsKnown,
      mesh: g.mesh,
      ciliumLabels: ciliumView(g.input.labels, ns, serviceAccount, options.ciliumCluster ?? 'default'),
      sources: g.sources,
    });
  }
  return workloads;
}

/** Builds namespaces and merged workloads, sorted by namespace then name. */
export function buildCluster(input: ClusterInput, options: ModelOptions): Cluster {
  const namespaces = namespaceInfos(input);
  const namespaceByName = new Map(namespaces.map((ns) => [ns.name, ns]));
  const groups = groupPods(input, namespaceByName, options);
  nameLonePods(groups);
  const sorted = groups.sort(
    (a, b) => compareText(a.input.namespace, b.input.namespace) || compareText(a.name, b.name),
  );
  const workloads = toWorkloads(sorted, namespaceByName, options);
  const workloadById = new Map<string, Workload>();
  const workloadByIp = new Map<string, Workload>();
  for (const workload of workloads) {
    workloadById.set(workload.id, workload);
    for (const ip of workload.ips) workloadByIp.set(ip, workload);
  }
  // Workloads are sorted by namespace, so each namespace owns one contiguous range.
  for (const w of workloads) {
    const ns = namespaceByName.get(w.namespace)!;
    if (ns.end === 0) ns.first = w.index;
    ns.end = w.index + 1;
  }
  return { namespaces, namespaceByName, workloads, workloadById, workloadByIp, nodes: buildNodes(input.nodes) };
}
