// Which zone each node is in, read through the API for checks that ask where an answer came from (the
// affinity check): `list nodes` of the nodes that carry a zone label, a page at a time (list-pager.ts),
// each node trimmed to its name and the two labels as it is read.

import type { KubeApi, RawObject } from './kube-api.ts';

/** The well-known label of a node's zone (set by the cloud provider or the cluster's installer). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** The well-known label of a node's hostname (set by the kubelet; not always the node's name). */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** One node's place: its zone and, when labelled, its hostname. */
export interface NodeZone {
  readonly zone: string;
  readonly hostname?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A node as the zone reader keeps it: its name and its zone and hostname labels, nothing else. */
export function zoneFields(node: RawObject): RawObject {
  const metadata = isObject(node.metadata) ? node.metadata : {};
  const labels = isObject(metadata.labels) ? metadata.labels : {};
  const kept: Record<string, unknown> = {};
  for (const key of [ZONE_LABEL, HOSTNAME_LABEL]) if (typeof labels[key] === 'string') kept[key] = labels[key];
  return { metadata: { name: metadata.name, labels: kept } };
}

/**
 * The zone of every node that has one, by node name. A node without the zone label is not listed (the
 * list asks the API server for labelled nodes only): a pod on it has no known zone, which the caller
 * must say rather than guess. Throws the KubeApiError of the list (a 403 names the permission).
 */
export async function readNodeZones(api: Pick<KubeApi, 'listNodeZones'>): Promise<Map<string, NodeZone>> {
  const zones = new Map<string, NodeZone>();
  for (const node of await api.listNodeZones()) {
    const name = node.metadata?.name;
    const zone = node.metadata?.labels?.[ZONE_LABEL];
    if (typeof name !== 'string' || typeof zone !== 'string' || zone === '') continue;
    const hostname = node.metadata?.labels?.[HOSTNAME_LABEL];
    zones.set(name, { zone, ...(hostname ? { hostname } : {}) });
  }
  return zones;
}
