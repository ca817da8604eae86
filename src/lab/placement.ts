// Where the lab's pods run: emulated nodes in zones (Node manifests or two default ones), and the
// node each pod is placed on, from its spec.nodeName, nodeSelector or required node affinity.

import { configErrorAt } from '../config/config-error.ts';
import type { LabNode } from './topology-types.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The well-known node labels (k8s.io/api/core/v1 well_known_labels.go). */
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The nodes a lab has when its manifests declare none: two, in two zones. */
export const DEFAULT_NODES: readonly LabNode[] = [
  {
    name: 'node-a',
    zone: 'zone-a',
    labels: { [HOSTNAME_LABEL]: 'node-a', [ZONE_LABEL]: 'zone-a' },
    source: 'lab default',
  },
  {
    name: 'node-b',
    zone: 'zone-b',
    labels: { [HOSTNAME_LABEL]: 'node-b', [ZONE_LABEL]: 'zone-b' },
    source: 'lab default',
  },
];

/**
 * The lab's nodes from its Node manifests (name, labels; `kubernetes.io/hostname` defaults to the
 * name as kubelet sets it), or DEFAULT_NODES when there is none.
 */
export function labNodes(manifests: readonly { readonly value: unknown; readonly source: string }[]): LabNode[] {
  const nodes: LabNode[] = [];
  for (const m of manifests) {
    const object = obj(m.value);
    if (object.kind !== 'Node') continue;
    const meta = obj(object.metadata);
    if (typeof meta.name !== 'string') continue;
    const labels: Record<string, string> = { [HOSTNAME_LABEL]: meta.name };
    for (const [k, v] of Object.entries(obj(meta.labels))) if (typeof v === 'string') labels[k] = v;
    if (nodes.some((n) => n.name === meta.name))
      throw configErrorAt(m.source, 'metadata.name', `node ${meta.name} is declared twice`);
    const zone = labels[ZONE_LABEL];
    nodes.push({ name: meta.name, ...(zone ? { zone } : {}), labels, source: m.source });
  }
  return nodes.length > 0 ? nodes : [...DEFAULT_NODES];
}

/** One node selector requirement (`matchExpressions` entry) against a node's labels. */
function requirementHolds(requirement: Obj, labels: Readonly<Record<string, string>>): boolean {
  const key = String(requirement.key ?? '');
  const values = list(requirement.values).map(String);
  const value = labels[key];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      // Gt, Lt and unknown operators: the lab does not schedule on them; nothing matches.
      return false;
  }
}

/**
 * Whether a pod may run on a node: its nodeSelector (every label) and its required node affinity
 * (any term whose expressions all hold), as the scheduler's NodeAffinity filter reads them.
 */
function allowedOn(podSpec: Obj, node: LabNode): boolean {
  const selector = Object.entries(obj(podSpec.nodeSelector));
  if (!selector.every(([k, v]) => node.labels[k] === v)) return false;
  const required = obj(obj(obj(podSpec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = list(required.nodeSelectorTerms).map(obj);
  if (terms.length === 0) return true;
  return terms.some((term) => list(term.matchExpressions).every((r) => requirementHolds(obj(r), node.labels)));
}

/** The nodes a DaemonSet runs a pod on: every node its nodeSelector and node affinity allow (the lab has no taints). */
export function daemonNodes(podSpec: unknown, nodes: readonly LabNode[]): LabNode[] {
  return nodes.filter((n) => allowedOn(obj(podSpec), n));
}

/**
 * Places pods one at a time. `spec.nodeName` wins (it must name a lab node); otherwise the pod goes
 * to a node its nodeSelector and required node affinity allow, spread as the scheduler's default
 * topology spread does for a workload's replicas: the zone with the fewest of the workload's pods,
 * then the node with the fewest of them, then the node with the fewest pods, then the first in
 * node order. Deterministic: the same manifests always give the same placement.
 */
export function placer(
  nodes: readonly LabNode[],
): (podSpec: unknown, source: string, pod: string, specPath: string, workload: string) => LabNode {
  const placed: { node: LabNode; workload: string }[] = [];
  return (podSpec, source, pod, specPath, workload) => {
    const spec = obj(podSpec);
    let candidates: readonly LabNode[];
    if (typeof spec.nodeName === 'string') {
      const named = nodes.find((n) => n.name === spec.nodeName);
      if (!named)
        throw configErrorAt(
          source,
          `${specPath}.nodeName`,
          `pod ${pod} names node ${spec.nodeName}, which the lab does not have (nodes: ${nodes.map((n) => n.name).join(', ')})`,
        );
      candidates = [named];
    } else {
      candidates = nodes.filter((n) => allowedOn(spec, n));
      if (candidates.length === 0)
        throw configErrorAt(
          source,
          `${specPath}.nodeSelector`,
          `no lab node matches pod ${pod}'s nodeSelector and node affinity (nodes: ${nodes.map((n) => `${n.name} in ${n.zone ?? 'no zone'}`).join(', ')})`,
        );
    }
    const mine = placed.filter((p) => p.workload === workload);
    const score = (n: LabNode): number[] => [
      mine.filter((p) => p.node.zone === n.zone).length,
      mine.filter((p) => p.node === n).length,
      placed.filter((p) => p.node === n).length,
    ];
    const better = (a: number[], b: number[]): boolean => {
      const i = a.findIndex((v, k) => v !== b[k]);
      return i >= 0 && a[i]! < b[i]!;
    };
    let chosen = candidates[0]!;
    for (const n of candidates) if (better(score(n), score(chosen))) chosen = n;
    placed.push({ node: chosen, workload });
    return chosen;
  };
}
