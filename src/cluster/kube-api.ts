// The thin interface over the Kubernetes API that cluster mode uses, and the RBAC each call needs.

import type {
  V1EndpointSlice,
  V1EphemeralContainer,
  V1LimitRange,
  V1Namespace,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1Service,
} from '@kubernetes/client-node';
import { kindDescriptor, POLICY_KIND_NAMES, type PolicyKind } from '../policy/index.ts';
import type { ExecOutcome, ExecRequest } from './exec-stream.ts';
import type { Permission } from './rbac-hints.ts';
import { WATCH_PERMISSIONS } from './watch-permissions.ts';

/** An object exactly as the API serves it (JSON), for kinds handed to the policy engine unchanged. */
export type RawObject = Record<string, unknown>;

/**
 * Every Kubernetes API call prober makes. Nothing else in `src/cluster/` talks to client-node, so
 * this list is also the list of permissions prober needs (see {@link KUBE_API_PERMISSIONS}).
 * Calls throw {@link KubeApiError} (one-line message, HTTP code) and retry transient failures themselves.
 */
export interface KubeApi {
  /** Pods of a namespace matching a label selector (`app=web,tier=front`; empty = all). */
  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]>;
  readPod(namespace: string, name: string): Promise<V1Pod>;
  /** The pod prober itself runs in (in-cluster only), for the image its agents should use. */
  readOwnPod(namespace: string, name: string): Promise<V1Pod>;
  /** Adds one ephemeral container to a running pod (strategic merge patch of `pods/ephemeralcontainers`). */
  addEphemeralContainer(namespace: string, pod: string, container: V1EphemeralContainer): Promise<V1Pod>;
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** One node, for its `kubernetes.io/arch` and `kubernetes.io/os`: can the agent image run there? */
  readNode(name: string): Promise<V1Node>;
  /** The PodDisruptionBudgets of a namespace: which would a probe pod leave allowing no disruption? */
  listPodDisruptionBudgets(namespace: string): Promise<V1PodDisruptionBudget[]>;
  /** The LimitRanges of a namespace: the probe pod's requests and limits must satisfy them. */
  listLimitRanges(namespace: string): Promise<V1LimitRange[]>;
  /**
   * Runs a command in a running container through the API server and its kubelet (`pods/exec` over a
   * WebSocket, exec-stream.ts): the resident agent's plan in, its result lines out. Not retried: a refusal
   * throws KubeApiError; how the command ended, or that prober cut it, is the outcome.
   */
  execInContainer(request: ExecRequest): Promise<ExecOutcome>;
  /** The log of one container of a pod, as text. */
  readPodLog(namespace: string, pod: string, container: string): Promise<string>;
  readService(namespace: string, name: string): Promise<V1Service>;
  /** The EndpointSlices of one Service (label `kubernetes.io/service-name`). */
  listEndpointSlices(namespace: string, service: string): Promise<V1EndpointSlice[]>;
  /** Every namespace (with its labels): input to the policy model for `expect: fromPolicies`. */
  listNamespaces(): Promise<V1Namespace[]>;
  /** Every pod in the cluster: the workloads the policy model evaluates for `expect: fromPolicies`. */
  listAllPods(): Promise<V1Pod[]>;
  /**
   * Every pod in the cluster with its name, namespace, labels, deletion and ephemeral containers only:
   * what `prober cleanup --all-namespaces` looks through for probe pods and agents left behind.
   */
  listPodsForCleanup(): Promise<V1Pod[]>;
  /** Every Service in the cluster: how target names map to workloads in the policy model. */
  listAllServices(): Promise<V1Service[]>;
  /** Every node (labels, `status.addresses`): what ClusterNetworkPolicy `nodes` peers select; read only when one does. */
  listNodes(): Promise<V1Node[]>;
  /** The zone-labelled nodes, each cut to its name and zone and hostname labels (node-zones.ts). */
  listNodeZones(): Promise<V1Node[]>;
  /**
   * Every object of one policy kind in the cluster (all namespaces), as raw JSON with apiVersion and
   * kind set, at `/apis/GROUP/VERSION/PLURAL` of the kind's descriptor (`src/policy/kinds.ts`). Tries
   * the kind's versions in order; a kind the cluster does not serve throws 404.
   */
  listPolicies(kind: PolicyKind): Promise<RawObject[]>;
  /** The API groups the cluster serves and their versions (discovery, open to every authenticated user). */
  listApiGroups(): Promise<ServedGroup[]>;
  /** The resources one group version serves, with their kinds (discovery). */
  listApiResources(group: string, version: string): Promise<ServedResource[]>;
  /**
   * Every object of one resource across the cluster, as raw JSON with apiVersion and kind set, read a
   * page at a time: `prober simulate`'s read of every policy kind discovery shows, evaluated or not.
   */
  listClusterObjects(group: string, version: string, resource: string, kind: string): Promise<RawObject[]>;
}

/** A group as discovery lists it, its versions preferred first. */
interface ServedGroup {
  readonly group: string;
  readonly versions: readonly string[];
}

/** A top-level resource of a group version (subresources such as `pods/log` are left out). */
interface ServedResource {
  readonly resource: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/** Objects asked of the API server per page of a list: a big cluster's pods come in several pages. */
export const LIST_PAGE_SIZE = 500;

/** The name of one KubeApi call. */
export type KubeCall = keyof KubeApi;

/**
 * The permission each call needs and which of prober's roles grants it. `k8s/prober/` grants exactly
 * these, each where `grant` says (a test checks the manifests against this table), so a call added to
 * KubeApi must be added here.
 */
export const KUBE_API_PERMISSIONS: Readonly<Record<KubeCall, Permission>> = {
  listPods: {
    verb: 'list',
    group: '',
    resource: 'pods',
    scope: 'namespace',
    grants: ['source-namespace', 'probe-pod'],
    purpose: 'find a Ready pod of each source; sweep leftover probe pods; prober cleanup -n',
  },
  readPod: {
    verb: 'get',
    group: '',
    resource: 'pods',
    scope: 'namespace',
    grants: ['source-namespace', 'probe-pod'],
    purpose: 'wait for the agent container to finish',
  },
  readOwnPod: {
    verb: 'get',
    group: '',
    resource: 'pods',
    scope: 'namespace',
    grants: ['own-namespace'],
    purpose: 'in a pod: read its own pod for the image (by digest) the agents use',
  },
  addEphemeralContainer: {
    verb: 'patch',
    group: '',
    resource: 'pods/ephemeralcontainers',
    scope: 'namespace',
    grants: ['source-namespace'],
    purpose: 'start the agent inside the source pod (default --agent=ephemeral)',
  },
  createPod: {
    verb: 'create',
    group: '',
    resource: 'pods',
    scope: 'namespace',
    grants: ['probe-pod'],
    purpose: 'start a probe pod beside the source (--agent=pod, or auto where the pod has no memory room)',
  },
  deletePod: {
    verb: 'delete',
    group: '',
    resource: 'pods',
    scope: 'namespace',
    grants: ['probe-pod'],
    purpose:
      'remove probe pods (--agent=pod), also on SIGINT/SIGTERM, and those prober cleanup finds; create one owned by its source pod',
  },
  readNode: {
    verb: 'get',
    group: '',
    resource: 'nodes',
    scope: 'cluster',
    grants: ['cluster'],
    purpose: "the source pod's node's architecture and OS: refuse a source the agent image cannot run on",
  },
  listPodDisruptionBudgets: {
    verb: 'list',
    group: 'policy',
    resource: 'poddisruptionbudgets',
    scope: 'namespace',
    grants: ['probe-pod'],
    purpose: 'say which PodDisruptionBudgets a probe pod leaves allowing no disruption while it exists',
  },
  listLimitRanges: {
    verb: 'list',
    group: '',
    resource: 'limitranges',
    scope: 'namespace',
    grants: ['probe-pod'],
    purpose: "fit the probe pod's requests and limits to the namespace's LimitRanges",
  },
  execInContainer: {
    verb: 'create',
    group: '',
    resource: 'pods/exec',
    scope: 'namespace',
    grants: ['resident'],
    purpose: "--agent=resident: hand each run's plan to the source pod's resident agent and read its results",
  },
  readPodLog: {
    verb: 'get',
    group: '',
    resource: 'pods/log',
    scope: 'namespace',
    grants: ['source-namespace', 'probe-pod'],
    purpose: "read the agent's results from its log",
  },
  // Targets may live in any namespace (kube-dns in kube-system, say), where prober must never write:
  // these two reads are granted cluster-wide, and show no more than `list services`/`list pods` do.
  readService: {
    verb: 'get',
    group: '',
    resource: 'services',
    scope: 'namespace',
    grants: ['cluster'],
    purpose:
      'check that a target Service exists and has the probed port; for an affinity check, its trafficDistribution and internalTrafficPolicy',
  },
  listEndpointSlices: {
    verb: 'list',
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    scope: 'namespace',
    grants: ['cluster'],
    purpose:
      "prove a target Service has ready endpoints (trust rule 2); for an affinity check, each endpoint's pod, node, zone and zone hints",
  },
  listNamespaces: {
    verb: 'list',
    group: '',
    resource: 'namespaces',
    scope: 'cluster',
    grants: ['from-policies'],
    purpose: 'namespace labels for the policy model (expect: fromPolicies)',
  },
  listAllPods: {
    verb: 'list',
    group: '',
    resource: 'pods',
    scope: 'cluster',
    grants: ['from-policies'],
    purpose: 'workload labels for the policy model (expect: fromPolicies)',
  },
  listPodsForCleanup: {
    verb: 'list',
    group: '',
    resource: 'pods',
    scope: 'cluster',
    grants: ['cleanup'],
    purpose: 'prober cleanup --all-namespaces: probe pods and ephemeral agents left in every namespace',
  },
  listAllServices: {
    verb: 'list',
    group: '',
    resource: 'services',
    scope: 'cluster',
    grants: ['from-policies'],
    purpose: 'Service selectors and ports for the policy model (expect: fromPolicies)',
  },
  listNodes: {
    verb: 'list',
    group: '',
    resource: 'nodes',
    scope: 'cluster',
    grants: ['from-policies', 'simulate'],
    purpose: 'node labels and addresses for the policy model, only when a ClusterNetworkPolicy has a nodes peer',
  },
  listNodeZones: {
    verb: 'list',
    group: '',
    resource: 'nodes',
    scope: 'cluster',
    grants: ['cluster'],
    purpose:
      "the nodes' zone and hostname labels, only for a test with an affinity check: the zone each source pod sends from",
  },
  // One call for every evaluated kind: each kind needs its own rule, policyPermission(kind) below.
  listPolicies: {
    verb: 'list',
    group: 'policy groups',
    resource: 'evaluated policy kinds',
    scope: 'cluster',
    grants: ['from-policies'],
    purpose: 'live policies of each evaluated kind for the policy model (expect: fromPolicies)',
  },
  listApiGroups: discoveryPermission('the API groups served: which policy kinds the cluster has'),
  listApiResources: discoveryPermission('the kinds of a policy API group the cluster serves'),
  listClusterObjects: {
    verb: 'list',
    group: 'policy groups',
    resource: 'policy kinds',
    scope: 'cluster',
    grants: ['simulate'],
    purpose: 'simulate --cluster: every object of every policy kind served, evaluated or not',
  },
};

/** Discovery needs no Role: every cluster grants it to all authenticated users (`system:discovery`). */
function discoveryPermission(purpose: string): Permission {
  return { verb: 'get', group: '', resource: 'apis', scope: 'cluster', grants: ['discovery'], purpose };
}

/** What `listPolicies(kind)` needs: `list` of the kind's resource cluster-wide, in prober-from-policies. */
export function policyPermission(kind: PolicyKind): Permission {
  const { group, plural } = kindDescriptor(kind);
  return {
    ...KUBE_API_PERMISSIONS.listPolicies,
    group,
    resource: plural,
    purpose: `live ${kind}s for the policy model (expect: fromPolicies)`,
  };
}

/**
 * The second permission of `execInContainer`: the WebSocket upgrade is a GET, which the API server
 * authorizes as `get pods/exec`, and from Kubernetes 1.35 (gate AuthorizePodWebsocketUpgradeCreatePermission,
 * on by default) the pod registry also asks for `create` (pkg/registry/core/pod/rest/subresources.go,
 * ExecREST.Connect → ensureAuthorizedForVerb in authorize.go). Before 1.35 `get` alone let a WebSocket exec run.
 */
export const EXEC_UPGRADE_PERMISSION: Permission = {
  ...KUBE_API_PERMISSIONS.execInContainer,
  verb: 'get',
  purpose: '--agent=resident: the pods/exec WebSocket upgrade is a GET, authorized as get (and, from 1.35, create too)',
};

/**
 * Every permission prober's calls need, `listPolicies` once per evaluated kind: `k8s/prober/` grants
 * exactly these (test/k8s/rbac.test.ts) and src/cluster/README.md's RBAC table states them.
 */
export const PERMISSION_TABLE: readonly Permission[] = [
  ...Object.entries(KUBE_API_PERMISSIONS).flatMap(([call, permission]) =>
    call === 'listPolicies'
      ? POLICY_KIND_NAMES.map(policyPermission)
      : call === 'execInContainer'
        ? [EXEC_UPGRADE_PERMISSION, permission]
        : [permission],
  ),
  // `prober watch --cluster`'s own calls (the informer, status, Events), beside its runs'.
  ...WATCH_PERMISSIONS,
];

// What a permission is, how messages name it and where to grant it: rbac-hints.ts.
export { type Grant, grantHint, type Permission, permissionLabel } from './rbac-hints.ts';

/** The labels every object prober creates carries, so it can be found and garbage-collected. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RUN_ID_LABEL = 'prober.dev/run-id';
export const MANAGED_BY_VALUE = 'prober';
