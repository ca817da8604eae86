// ClusterNetworkPolicy `nodes` egress peers (network-policy-api v1alpha2, experimental): the addresses in
// the selected Nodes' `status.addresses`. Decided when the inputs give the nodes, else undecidable.
import { type Address, parseAddress } from './cidr.ts';
import type { Fields } from './fields.ts';
import { matches, readSelector } from './labels.ts';
import type { NodesSpec } from './spec.ts';
import type { Labels, NodeInput } from './types.ts';

/** Whether a peer matches: surely, surely not, or depending on what the inputs do not give (as sets.ts). */
type Match = 'yes' | 'no' | 'maybe';

/** A node as the engine sees it: labels, and the addresses of `status.addresses` that are IPs. */
export interface NodeInfo {
  readonly name: string;
  readonly labels: Labels;
  readonly addresses: readonly Address[];
}

/** Reads a `nodes` peer: a label selector; `{}` selects every node (apis/v1alpha2 `Nodes`). */
export function readNodesPeer(peer: Fields): NodesSpec {
  return { kind: 'nodes', selector: readSelector(peer.reqObj('nodes')) };
}

/** The nodes of the inputs; undefined when none are given, so node peers stay undecidable. */
export function buildNodes(nodes: readonly NodeInput[] | undefined): readonly NodeInfo[] | undefined {
  if (nodes === undefined) return undefined;
  return nodes.map((n) => ({
    name: n.name,
    labels: n.labels,
    addresses: n.addresses.flatMap((a) => {
      const parsed = parseAddress(a);
      return parsed ? [parsed] : [];
    }),
  }));
}

const same = (a: Address, b: Address): boolean => a.kind === b.kind && a.value === b.value;

/** Whether an address is one of the selected nodes': `maybe` when the nodes are not known. */
export function nodesCoverAddress(spec: NodesSpec, nodes: readonly NodeInfo[] | undefined, address: Address): Match {
  if (!nodes) return 'maybe';
  return nodes.some((n) => matches(spec.selector, n.labels) && n.addresses.some((a) => same(a, address)))
    ? 'yes'
    : 'no';
}

/** Whether a destination known by name only is a selected node's: `no` only when no node is selected. */
export function nodesCoverName(spec: NodesSpec, nodes: readonly NodeInfo[] | undefined): Match {
  return nodes && !nodes.some((n) => matches(spec.selector, n.labels) && n.addresses.length > 0) ? 'no' : 'maybe';
}

/**
 * Whether a policy manifest (as read from a cluster) has a ClusterNetworkPolicy egress `nodes` peer: the
 * live reader lists nodes only then. Shape only; the parser validates the manifest afterwards.
 */
export function usesNodePeers(manifest: Record<string, unknown>): boolean {
  if (manifest.kind !== 'ClusterNetworkPolicy') return false;
  const egress = (manifest.spec as { egress?: unknown } | undefined)?.egress;
  if (!Array.isArray(egress)) return false;
  return egress.some((rule) => {
    const to = (rule as { to?: unknown } | null)?.to;
    return Array.isArray(to) && to.some((peer) => (peer as { nodes?: unknown } | null)?.nodes != null);
  });
}

/** What a node peer's match hangs on, for explanations of undecidable cells ("… depends on <this>"). */
export function nodesReason(nodes: readonly NodeInfo[] | undefined): string {
  return nodes
    ? 'the addresses the name resolves to, which the model does not know'
    : 'node addresses: the inputs give no Node objects (add Node manifests, e.g. kubectl get nodes -o yaml; the nodes of a live cluster are read)';
}
