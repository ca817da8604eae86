// The engine's own form of every supported policy kind, independent of any cluster.
import type { CidrBlock } from './cidr.ts';
import type { Selector } from './labels.ts';
import type { PortSelection } from './ports.ts';
import type { HttpFields } from './types.ts';

/** Which namespaces a pod peer may live in. */
export type NamespaceScope =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'selector'; readonly selector: Selector }; // `{}`: every namespace

/**
 * Which labels a pod selector is matched against: the pod's own (Kubernetes), or Cilium's
 * view that adds `io.kubernetes.pod.namespace`, namespace labels and the service account.
 */
type LabelView = 'pod' | 'cilium';

/** Pods chosen by namespace and label. */
export interface PodsSpec {
  readonly kind: 'pods';
  readonly namespaces: NamespaceScope;
  readonly pods: Selector;
  readonly view: LabelView;
}

/** Addresses in a CIDR block; `pods: false` when the kind never applies CIDRs to pods (Cilium). */
interface CidrSpec {
  readonly kind: 'cidr';
  readonly block: CidrBlock;
  readonly pods: boolean;
}

/** Cilium entities the engine can place: everything, every pod, or outside the cluster. */
interface EntitySpec {
  readonly kind: 'entity';
  readonly entity: 'all' | 'cluster' | 'world';
}

/** Destinations named by domain (ClusterNetworkPolicy `domainNames`, see fqdn.ts): exact names, or `*.suffix` (one or more whole labels before the suffix). */
export interface DomainsSpec {
  readonly kind: 'domains';
  /** As written, lower-cased and without a trailing dot (DNS names compare case-insensitively). */
  readonly names: readonly string[];
}

/** Nodes by label (ClusterNetworkPolicy `nodes`, see nodes.ts): the addresses in their `status.addresses`. */
export interface NodesSpec {
  readonly kind: 'nodes';
  readonly selector: Selector;
}

/** The remote side of a rule. */
export type PeerSpec = PodsSpec | CidrSpec | EntitySpec | DomainsSpec | NodesSpec;

export type RuleAction = 'allow' | 'deny' | 'pass';

/** One rule of an L3/L4 policy. Peers `all` means any peer, inside or outside the cluster. */
export interface Rule {
  /** e.g. `NetworkPolicy x/allow-web ingress[0]`. */
  readonly ref: string;
  readonly action: RuleAction;
  readonly peers: 'all' | readonly PeerSpec[];
  readonly ports: PortSelection;
  /**
   * ClusterNetworkPolicy rules: `tier/priority` of their policy. Policies of one tier and priority have
   * no defined order (an implementation may apply any of them), so rules sharing a `tie` with rules of
   * another policy are judged in every order; `policy` tells the policies apart.
   */
  readonly tie?: string;
  readonly policy?: string;
}

/** A policy's rules for one direction. `isolates`: selected pods deny what no rule allows. */
export interface DirectionRules {
  readonly isolates: boolean;
  readonly rules: readonly Rule[];
}

/** Evaluation tiers, in order: AdminNetworkPolicy, NetworkPolicy (and Cilium), Baseline. */
type Tier = 'admin' | 'network' | 'baseline';

/** NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cilium(Clusterwide)NetworkPolicy. */
export interface NetworkLayerPolicy {
  readonly layer: 'network';
  readonly tier: Tier;
  /** e.g. `NetworkPolicy d-redis/isolate` or `AdminNetworkPolicy deny-redis`. */
  readonly ref: string;
  readonly source: string | undefined;
  /** AdminNetworkPolicy priority (lower first); 0 for the other kinds. */
  readonly priority: number;
  readonly subject: PodsSpec;
  readonly ingress: DirectionRules | undefined;
  readonly egress: DirectionRules | undefined;
}

/** An Istio string match: exact, `prefix*`, `*suffix` or `*`. */
export type Pattern = string;

/** `from.source` of an Istio rule; every present field must match (OR inside a field). */
export interface AuthzSource {
  readonly principals?: readonly Pattern[];
  readonly notPrincipals?: readonly Pattern[];
  readonly namespaces?: readonly Pattern[];
  readonly notNamespaces?: readonly Pattern[];
  readonly ipBlocks?: readonly CidrBlock[];
  readonly notIpBlocks?: readonly CidrBlock[];
}

/** `to.operation` of an Istio rule: ports, and the HTTP-only fields (see http-match.ts). */
export interface AuthzOperation {
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
  /** Absent when the operation names no HTTP-only field. */
  readonly http?: HttpFields;
}

/** One Istio rule: any `from` AND any `to`; `any` when the list is absent or empty. */
export interface AuthzRule {
  readonly ref: string;
  readonly from: 'any' | readonly AuthzSource[];
  readonly to: 'any' | readonly AuthzOperation[];
}

/** Istio AuthorizationPolicy (ALLOW, DENY, or AUDIT, which only logs and decides nothing). */
export interface AuthzPolicy {
  readonly layer: 'authz';
  readonly ref: string;
  readonly source: string | undefined;
  readonly namespace: string;
  readonly action: 'ALLOW' | 'DENY' | 'AUDIT';
  /** null: every workload of the namespace (of the mesh, in the root namespace). */
  readonly selector: Selector | null;
  readonly rules: readonly AuthzRule[];
}

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** Istio PeerAuthentication; `UNSET` inherits from the enclosing scope. */
export interface PeerAuthPolicy {
  readonly layer: 'peerauth';
  readonly ref: string;
  readonly source: string | undefined;
  readonly namespace: string;
  readonly selector: Selector | null;
  readonly mode: MtlsMode | 'UNSET';
  readonly portModes: ReadonlyMap<number, MtlsMode | 'UNSET'>;
}

/** A fraction of requests (Envoy's FractionalPercent): `numerator` out of `denominator` (100, 10,000 or 1,000,000). */
export interface Fraction {
  readonly numerator: number;
  readonly denominator: number;
}

/** A header Envoy adds to its local reply (a literal value: formatters are refused). */
export interface ReplyHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * Envoy's HTTP local rate limit on a sidecar's inbound HTTP ports (see envoyfilter.ts): a token bucket
 * that starts full, refills continuously at `tokensPerFill` per `fillIntervalMs`, holds at most
 * `maxTokens`, and gives one token to each request it judges.
 */
export interface LocalRateLimit {
  /** e.g. `EnvoyFilter c-app-count/time-app-rate-limit configPatches[0]`. */
  readonly ref: string;
  readonly source: string | undefined;
  /** `match.listener.portNumber` (the workload's port); absent: every inbound HTTP port. */
  readonly port?: number;
  /** First in the HTTP filter chain (before Istio's RBAC filter), or just before the router (after it). */
  readonly position: 'first' | 'before-router';
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
  /** The status of a rejected request (Envoy answers 429 for anything below 400). */
  readonly status: number;
  /** Requests the filter judges at all (`filter_enabled`; Envoy's default is none). */
  readonly enabled: Fraction;
  /** Judged requests whose rejection is enforced (`filter_enforced`; default none: counted only). */
  readonly enforced: Fraction;
  readonly responseHeaders: readonly ReplyHeader[];
}

/** Istio EnvoyFilter, read for its local rate limits only: it changes how many requests pass, not who may send them. */
export interface RateLimitPolicy {
  readonly layer: 'ratelimit';
  readonly ref: string;
  readonly source: string | undefined;
  readonly namespace: string;
  /** null: every workload of the namespace (of the mesh, in the root namespace). */
  readonly selector: Selector | null;
  /** Empty for an EnvoyFilter that holds no local rate limit (the engine ignores it). */
  readonly limits: readonly LocalRateLimit[];
  /**
   * Set when the EnvoyFilter holds a local rate limit the engine cannot reproduce exactly: why, at
   * file:line. It decides no reachability verdict, so the model warns; the lab, which would have to
   * enforce it, refuses.
   */
  readonly unmodelled?: string;
}

/** Any supported policy, parsed. */
export type ParsedPolicy = NetworkLayerPolicy | AuthzPolicy | PeerAuthPolicy | RateLimitPolicy;

/** A parsed policy and the harmless oddities noticed while reading it. */
export interface ParseResult {
  readonly policy: ParsedPolicy;
  readonly warnings: readonly string[];
}
