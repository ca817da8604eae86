// Public data types of the policy engine: the plain inputs it takes and the decisions it returns.

/** L4 protocols of the Kubernetes API. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Every protocol, in the API's order. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Label maps as found in metadata. */
export type Labels = Readonly<Record<string, string>>;

/** A namespace and its labels (`kubernetes.io/metadata.name` is implied when missing). */
export interface NamespaceInput {
  readonly name: string;
  readonly labels?: Labels;
}

/** One container port of a pod. Protocol defaults to TCP. */
export interface ContainerPortInput {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: Protocol;
}

/**
 * Pods as declared by a manifest (a Deployment's template, a Pod …) or seen in a cluster.
 * Inputs with identical namespace, labels, service account, ports and mesh membership are
 * merged into one workload: policies cannot tell such pods apart.
 */
export interface WorkloadInput {
  readonly namespace: string;
  /** Name of the object, e.g. the Deployment's or the Pod's. */
  readonly name: string;
  /** Groups pods under their owner's name (e.g. a ReplicaSet's Deployment) for display. */
  readonly owner?: string;
  /** Kind of the object (Deployment, StatefulSet, DaemonSet, Pod …), for display. */
  readonly kind?: string;
  /** Pod labels. */
  readonly labels: Labels;
  /** Defaults to `default`. */
  readonly serviceAccount?: string;
  readonly ports?: readonly ContainerPortInput[];
  /**
   * Pod IPs when known (a live cluster, a pod dump with `status.podIPs`); ipBlock rules then apply
   * to the pods too. Absent or empty: unknown, so cells that depend on an ipBlock are `unknown`.
   */
  readonly ips?: readonly string[];
  /** In the Istio mesh (has a sidecar). Undefined: inferred from labels, see README. */
  readonly mesh?: boolean;
  /** Where it was declared (file:line), for messages. */
  readonly source?: string;
}

/** One port of a Service; `targetPort` defaults to `port`, protocol to TCP. */
export interface ServicePortInput {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: Protocol;
}

/** A Service: how a target URL's host and port map to workloads and container ports. */
export interface ServiceInput {
  readonly namespace: string;
  readonly name: string;
  /** Absent or empty: no selector (endpoints managed by hand), so no known endpoints. */
  readonly selector?: Labels;
  readonly ports: readonly ServicePortInput[];
  readonly clusterIP?: string;
  readonly source?: string;
}

/** A node: its labels and the IPs of its `status.addresses` (what ClusterNetworkPolicy `nodes` peers select). */
export interface NodeInput {
  readonly name: string;
  readonly labels: Labels;
  /** Every address of `status.addresses` (InternalIP, ExternalIP …); entries that are no IP are skipped. */
  readonly addresses: readonly string[];
}

/** A policy manifest as parsed from YAML/JSON, with where it came from. */
export interface PolicyInput {
  readonly manifest: unknown;
  /** file:line of the document, prefixed to error messages. */
  readonly source?: string;
  /** Namespace of a namespaced policy whose metadata names none (kubectl's `-n`). Default `default`. */
  readonly namespace?: string;
}

/** Everything the engine needs about a cluster. */
export interface ClusterInput {
  readonly namespaces?: readonly NamespaceInput[];
  readonly workloads: readonly WorkloadInput[];
  readonly services?: readonly ServiceInput[];
  readonly policies?: readonly PolicyInput[];
  /** Every node of the cluster; absent when not known, so `nodes` peers stay undecidable. */
  readonly nodes?: readonly NodeInput[];
}

/** Knobs that depend on the cluster rather than on the manifests. */
export interface ModelOptions {
  /** Treat every workload as having an Istio sidecar. Default: infer from labels. */
  readonly assumeMesh?: boolean;
  /** Istio's root namespace (mesh-wide policies). Default `istio-system`. */
  readonly istioRootNamespace?: string;
  /** Istio trust domain used in principals. Default `cluster.local`. */
  readonly trustDomain?: string;
  /** Cilium cluster name (label `io.cilium.k8s.policy.cluster`). Default `default`. */
  readonly ciliumCluster?: string;
}

/**
 * One side of a connection: a workload of the model (by id `namespace/name`), an IP, or an outside
 * destination by DNS name (`api.example.com`, as a test target names it), reached over `family` if given.
 */
export type Peer =
  | { readonly workload: string }
  | { readonly ip: string }
  | { readonly name: string; readonly family?: 'ipv4' | 'ipv6' };

/** A connection's verdict. */
export type Verdict = 'allow' | 'deny';

/**
 * What the policies say about a connection: a verdict, or `unknown` when it depends on whether a
 * pod's IP falls in a CIDR block and the inputs do not give that pod's IP. Never a guessed deny.
 */
export type Computed = Verdict | 'unknown';

/** Which layer decided a direction. */
export type DecidedBy =
  | 'not-isolated' // no policy of any tier applies: allowed by default
  | 'admin' // an admin tier rule (AdminNetworkPolicy Allow/Deny, ClusterNetworkPolicy Accept/Deny)
  | 'network' // NetworkPolicy / Cilium policies isolating the pod
  | 'baseline'; // a baseline tier rule (BaselineAdminNetworkPolicy, ClusterNetworkPolicy tier Baseline)

/** The verdict of one direction (egress at the source, ingress at the destination). */
export interface DirectionDecision {
  readonly direction: 'egress' | 'ingress';
  readonly verdict: Computed;
  readonly decidedBy: DecidedBy;
  /** NetworkPolicy/Cilium policies isolating the subject pod in this direction. */
  readonly isolatedBy: readonly string[];
  /** Rules that allowed (all of them), or the single admin/baseline/deny rule that decided; when `unknown`, the rules whose match is undecidable. */
  readonly rules: readonly string[];
  /** Admin rules whose `Pass` sent the decision down to NetworkPolicy, and baseline ones that passed to the default. */
  readonly passedBy: readonly string[];
  /** One sentence. */
  readonly explanation: string;
}

/**
 * An HTTP request as the destination's sidecar reads it: what AuthorizationPolicy `to.operation`
 * `methods`, `paths` and `hosts` match (Envoy's `:method`, URL path and `:authority`).
 */
export interface HttpRequest {
  readonly method: string;
  /** The URL path without the query string (Envoy's RBAC path matcher strips it). */
  readonly path: string;
  /** The Host header as sent: the name, with `:port` unless the port is 80 or 443. */
  readonly host: string;
}

/**
 * The HTTP-only fields of one `to.operation` (each a list of Istio patterns: exact, `prefix*`,
 * `*suffix`, `*`). Every present field must hold: one value of a positive field matches, no value of a
 * `not` field does. No field: any request.
 */
export interface HttpFields {
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
  readonly hosts?: readonly string[];
  readonly notHosts?: readonly string[];
}

/** One `to.operation`'s HTTP conditions, with the rule they come from. */
export interface HttpCondition {
  /** e.g. `AuthorizationPolicy x/p rules[0]`. */
  readonly ref: string;
  readonly fields: HttpFields;
}

/**
 * What a sidecar's HTTP filter decides, per request, for one source on one port, the source and
 * port already judged: a request is denied when a `deny` condition holds; otherwise allowed when
 * `allow` is `all` (no ALLOW policy applies) or one of its conditions holds; denied otherwise.
 */
export interface RequestPolicy {
  readonly deny: readonly HttpCondition[];
  readonly allow: 'all' | readonly HttpCondition[];
}

/** The Istio layer's verdict at the destination's sidecar. */
export interface MeshDecision {
  readonly verdict: Computed;
  /** False when the destination has no sidecar or the protocol is not TCP: nothing enforced. */
  readonly enforced: boolean;
  readonly mtls: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  /** AuthorizationPolicies that select the destination (enforced or not). */
  readonly policies: readonly string[];
  /** The AuthorizationPolicy/PeerAuthentication (rules) that decided. */
  readonly rules: readonly string[];
  readonly explanation: string;
}

/** A peer as described in a decision. */
export type PeerInfo =
  | { readonly kind: 'workload'; readonly id: string; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'name'; readonly name: string };

/** The expected verdict of one connection and why. */
export interface Decision {
  readonly from: PeerInfo;
  readonly to: PeerInfo;
  readonly port: number;
  readonly protocol: Protocol;
  /** `loopback` when source and destination are the same workload (CNIs differ there). */
  readonly verdict: Computed | 'loopback';
  /** What the policies say, also for loopback cells (as if the pods were distinct). */
  readonly computed: Computed;
  /** The first layer that denied, when denied. */
  readonly deniedAt?: 'egress' | 'ingress' | 'mesh';
  /** Absent when the source is outside the cluster. */
  readonly egress?: DirectionDecision;
  /** Absent when the destination is outside the cluster. */
  readonly ingress?: DirectionDecision;
  /** Absent when the destination is outside the cluster. */
  readonly mesh?: MeshDecision;
  /** Human-readable lines: isolation, deciding rules, and the result. */
  readonly explanation: readonly string[];
}
