// Where the lab's pods run: emulated nodes in zones (Node manifests or two default ones), and the
// node each pod is placed on, from its spec.nodeName, nodeSelector or required node affinity.

import { configErrorAt } from '../config/config-error.ts';
import type { LabNode } from './topology-types.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The well-known node labels (k8s.io/api/core/v1 well_known_labels.go). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

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

/**
 * Places pods one at a time. `spec.nodeName` wins (it must name a lab node); otherwise the pod goes
 * to the node its nodeSelector and required node affinity allow that has the fewest pods so far,
 * the first in node order on a tie: with no constraint, replicas spread round-robin over the nodes.
 * Deterministic: the same manifests always give the same placement.
 */
export function placer(
  nodes: readonly LabNode[],
): (podSpec: unknown, source: string, pod: string, specPath: string) => LabNode {
  const count = new Map(nodes.map((n) => [n.name, 0]));
  return (podSpec, source, pod, specPath) => {
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
    let chosen = candidates[0]!;
    for (const n of candidates) if (count.get(n.name)! < count.get(chosen.name)!) chosen = n;
    count.set(chosen.name, count.get(chosen.name)! + 1);
    return chosen;
  };
}
