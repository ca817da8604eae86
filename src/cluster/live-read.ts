// `prober simulate --cluster`: every object the policy model depends on, read from a live cluster, read-only.
//
// Discovery first: a policy kind is "none in this cluster" only when discovery says its group does not
// serve it. Whatever discovery lists is then read, and any failure is an error: a 404 on a resource the
// cluster serves is not "no objects", and a 403 says nothing about whether the kind exists (the API
// server authorizes before it routes), so it names the RBAC that is missing.

import {
  classifyObject,
  isPolicyKind,
  type KindFilter,
  kindApiVersions,
  kindMatches,
  POLICY_GROUPS,
  qualifiedKind,
  usesNodePeers,
} from '../policy/index.ts';
import { KubeApiError } from './api-error.ts';
import { type KubeApi, type KubeCall, type RawObject, RUN_ID_LABEL } from './kube-api.ts';

/** Where a person finds the read-only ClusterRole simulate needs. */
const SIMULATE_ROLE = 'k8s/prober/simulate/prober-simulate.yaml';

/** The cluster's objects as manifests, and what was deliberately not read. */
export interface ClusterObjects {
  /** Namespaces, pods, Services, nodes (when a policy selects nodes) and every policy object, with apiVersion and kind. */
  readonly objects: readonly RawObject[];
  /** Policy kinds served but left out by `--ignore-kind` (never read), as `Kind.group`. */
  readonly notRead: readonly string[];
}

/** One policy kind the cluster serves, at the version to read it in. */
interface ServedKind {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
}

/** Runs one read; a 403 names the permission and the ClusterRole that grants it (no other role does). */
async function read<T>(what: string, call: KubeCall, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 403) {
      throw new KubeApiError(
        call,
        403,
        error.reason,
        `forbidden: missing RBAC permission to list ${what} cluster-wide (simulate --cluster reads with the ClusterRole prober-simulate: kubectl apply -f ${SIMULATE_ROLE}, then bind it to your user or CI identity)`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The policy kinds of the known policy groups that the cluster serves. An evaluated kind is read in the
 * first served version the engine reads (the preferred one first); any other kind in the preferred one.
 */
async function servedPolicyKinds(api: KubeApi): Promise<ServedKind[]> {
  const groups = (await api.listApiGroups()).filter((g) => POLICY_GROUPS.some((p) => p.group === g.group));
  const found = new Map<string, ServedKind>();
  for (const { group, versions } of groups) {
    for (const version of versions) {
      for (const r of await api.listApiResources(group, version)) {
        if (!r.verbs.includes('list')) continue;
        const role = classifyObject(`${group}/${version}`, r.kind).role;
        if (role === 'other') continue;
        const key = `${r.kind}.${group}`;
        const readable = (v: string): boolean =>
          isPolicyKind(r.kind) && kindApiVersions(r.kind).includes(`${group}/${v}`);
        const before = found.get(key);
        // Versions come preferred first: a later one replaces it only when the engine reads it and the first not.
        if (!before || (!readable(before.version) && readable(version)))
          found.set(key, { group, version, resource: r.resource, kind: r.kind });
      }
    }
  }
  return [...found.values()];
}

/**
 * Reads namespaces, pods, Services and every object of every policy kind the cluster serves, a page at
 * a time (policies only when `withPolicies`). prober's own probe pods are left out. Kinds named by
 * `--ignore-kind` are not read at all.
 */
export async function readClusterObjects(
  api: KubeApi,
  ignoreKinds: readonly KindFilter[],
  withPolicies = true,
): Promise<ClusterObjects> {
  const served = withPolicies ? await servedPolicyKinds(api) : [];
  const ignored = (s: ServedKind): boolean =>
    ignoreKinds.some((f) => kindMatches(f, `${s.group}/${s.version}`, s.kind));
  const wanted = served.filter((s) => !ignored(s));
  const core = (kind: string) => (o: object) => ({ ...(o as RawObject), apiVersion: 'v1', kind });
  const [namespaces, pods, services, ...policies] = await Promise.all([
    read('namespaces', 'listNamespaces', () => api.listNamespaces()),
    read('pods', 'listAllPods', () => api.listAllPods()),
    read('services', 'listAllServices', () => api.listAllServices()),
    ...wanted.map((s) =>
      read(`${s.resource}.${s.group}`, 'listClusterObjects', () =>
        api.listClusterObjects(s.group, s.version, s.resource, s.kind),
      ),
    ),
  ]);
  const ours = (pod: { metadata?: { labels?: Record<string, string> } }): boolean =>
    Boolean(pod.metadata?.labels?.[RUN_ID_LABEL]);
  const policyObjects = (policies as RawObject[][]).flat();
  // Nodes only when a policy selects them: most clusters need no `list nodes`, and a big one has many.
  const nodes = policyObjects.some(usesNodePeers) ? await read('nodes', 'listNodes', () => api.listNodes()) : [];
  return {
    objects: [
      ...namespaces.map(core('Namespace')),
      ...pods.filter((p) => !ours(p)).map(core('Pod')),
      ...services.map(core('Service')),
      ...nodes.map(core('Node')),
      ...policyObjects,
    ],
    notRead: served.filter(ignored).map((s) => qualifiedKind(`${s.group}/${s.version}`, s.kind)),
  };
}

/** `live NetworkPolicy web/deny-all`: where a cluster object is, in messages (a file's `file:line`). */
export function liveSource(object: RawObject): string {
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `live ${String(object.kind)} ${ns}${String(meta.name ?? '')}`;
}
