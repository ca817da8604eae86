// What each policy kind prober evaluates is, in one table: where the API serves it, how its name is
// checked, how it is read. The parser, the group classification, the manifest name checks, the live
// reader, its RBAC and the fake API server of the tests all take their list of kinds from here.

import type { NameRule } from '../model/k8s-names.ts';
import { readAdminPolicy } from './admin.ts';
import { readCiliumPolicy } from './cilium.ts';
import { readClusterNetworkPolicy } from './cnp.ts';
import { readEnvoyFilter } from './envoyfilter.ts';
import type { Fields } from './fields.ts';
import { readAuthorizationPolicy, readPeerAuthentication } from './istio.ts';
import { readNetworkPolicy } from './networkpolicy.ts';
import type { ParsedPolicy } from './spec.ts';

/**
 * The API groups of the evaluated kinds. `morePolicyKinds`, when given, says the group also holds kinds
 * that are no policy (networking.k8s.io's Ingress): only the evaluated kinds and these are policy then,
 * and any other kind of the group is nothing to the engine. Without it every kind of the group is policy,
 * so a kind of it the engine does not evaluate is refused (a CI gate fails closed).
 */
export const KIND_GROUPS = {
  'networking.k8s.io': { vendor: 'Kubernetes', morePolicyKinds: [] },
  'policy.networking.k8s.io': { vendor: 'Kubernetes network-policy-api' },
  'cilium.io': { vendor: 'Cilium', morePolicyKinds: ['CiliumCIDRGroup'] },
  'security.istio.io': { vendor: 'Istio' },
  // Routing (VirtualService, DestinationRule, Gateway, Sidecar …) is no policy to the engine.
  'networking.istio.io': { vendor: 'Istio', morePolicyKinds: [] },
} as const satisfies Readonly<
  Record<string, { readonly vendor: string; readonly morePolicyKinds?: readonly string[] }>
>;

/** What a kind's reader gets besides its `spec`: the whole manifest (to fail on a field), metadata, names. */
interface KindReadInput {
  readonly doc: Fields;
  readonly meta: { readonly name: string; readonly namespace: string };
  /** `Kind namespace/name`, for messages. */
  readonly ref: string;
  readonly source: string | undefined;
  /** Receives harmless oddities (rules the API itself ignores). */
  readonly warnings: string[];
}

/** One policy kind prober evaluates: being in {@link POLICY_KIND_TABLE} is what makes it evaluated. */
export interface KindDescriptor {
  readonly group: keyof typeof KIND_GROUPS;
  /** Versions the parser reads, in the order the live reader tries them (a cluster may serve only an older one). */
  readonly versions: readonly [string, ...string[]];
  /** The resource (plural) the API serves it as: `/apis/GROUP/VERSION/PLURAL`, and its RBAC rule. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Served by every cluster: the live reader lists it without asking discovery, so a 404 is an error. */
  readonly builtIn: boolean;
  /** The rule the API server checks `metadata.name` against (config/manifest-names.ts checks it too). */
  readonly nameRule: NameRule;
  /** Top-level fields refused before the spec is read, with why. */
  readonly refused?: Readonly<Record<string, string>>;
  /** The spec may be absent (then it is read as empty). */
  readonly specOptional?: boolean;
  /** Reads the spec into the engine's form; fails through `Fields` with the field's path. */
  readonly read: (spec: Fields, input: KindReadInput) => ParsedPolicy;
}

// Custom resources (and NetworkPolicy) have DNS-subdomain names: apiextensions-apiserver
// pkg/registry/customresource/validator.go, ValidateObjectMetaAccessor with NameIsDNSSubdomain.
const SUBDOMAIN = 'dns1123-subdomain';
const CILIUM_SPECS = { specs: 'a list of specs is outside the supported subset; write one policy per spec' };

/** Every kind the engine evaluates; the order is the order messages list them in. */
const POLICY_KIND_TABLE = {
  NetworkPolicy: {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'networkpolicies',
    namespaced: true,
    builtIn: true,
    nameRule: SUBDOMAIN,
    // Optional in the API: absent, it is an empty selector with no rules (deny all ingress).
    specOptional: true,
    read: (spec, at) => readNetworkPolicy(spec, at.meta, at.ref, at.source, at.warnings),
  },
  AdminNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha1'],
    plural: 'adminnetworkpolicies',
    namespaced: false,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => readAdminPolicy(spec, 'admin', at.ref, at.source),
  },
  BaselineAdminNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha1'],
    plural: 'baselineadminnetworkpolicies',
    namespaced: false,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => {
      // The API only admits the singleton named "default".
      if (at.meta.name !== 'default') at.doc.fail('a BaselineAdminNetworkPolicy must be named "default"', 'metadata');
      return readAdminPolicy(spec, 'baseline', at.ref, at.source);
    },
  },
  ClusterNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha2'],
    plural: 'clusternetworkpolicies',
    namespaced: false,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => readClusterNetworkPolicy(spec, at.ref, at.source),
  },
  CiliumNetworkPolicy: {
    group: 'cilium.io',
    versions: ['v2'],
    plural: 'ciliumnetworkpolicies',
    namespaced: true,
    builtIn: false,
    nameRule: SUBDOMAIN,
    refused: CILIUM_SPECS,
    read: (spec, at) => readCiliumPolicy(spec, at.meta.namespace, at.ref, at.source),
  },
  CiliumClusterwideNetworkPolicy: {
    group: 'cilium.io',
    versions: ['v2'],
    plural: 'ciliumclusterwidenetworkpolicies',
    namespaced: false,
    builtIn: false,
    nameRule: SUBDOMAIN,
    refused: CILIUM_SPECS,
    read: (spec, at) => readCiliumPolicy(spec, undefined, at.ref, at.source),
  },
  AuthorizationPolicy: {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    plural: 'authorizationpolicies',
    namespaced: true,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => readAuthorizationPolicy(spec, at.meta.namespace, at.ref, at.source),
  },
  PeerAuthentication: {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    plural: 'peerauthentications',
    namespaced: true,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => readPeerAuthentication(spec, at.meta.namespace, at.ref, at.source),
  },
  // Read for its local rate limits (how many requests pass), never for reachability; an EnvoyFilter
  // holding none is ignored with a warning (envoyfilter.ts).
  EnvoyFilter: {
    group: 'networking.istio.io',
    versions: ['v1alpha3'],
    plural: 'envoyfilters',
    namespaced: true,
    builtIn: false,
    nameRule: SUBDOMAIN,
    read: (spec, at) => readEnvoyFilter(spec, at.meta.namespace, at.ref, at.source, at.warnings),
  },
} as const satisfies Readonly<Record<string, KindDescriptor>>;

/** A kind the engine evaluates. */
export type PolicyKind = keyof typeof POLICY_KIND_TABLE;

/** Every evaluated kind, in the table's order. */
export const POLICY_KIND_NAMES = Object.keys(POLICY_KIND_TABLE) as readonly PolicyKind[];

/** The descriptor of a kind, typed as the interface (the table's literal types are for checking only). */
export function kindDescriptor(kind: PolicyKind): KindDescriptor {
  return POLICY_KIND_TABLE[kind];
}

/** Whether the engine evaluates this kind (whatever its group: the parser then checks the apiVersion). */
export function isPolicyKind(kind: string): kind is PolicyKind {
  return Object.hasOwn(POLICY_KIND_TABLE, kind);
}

/** The apiVersions (`group/version`) the parser reads a kind in, in the table's order. */
export function kindApiVersions(kind: PolicyKind): readonly string[] {
  const { group, versions } = kindDescriptor(kind);
  return versions.map((version) => `${group}/${version}`);
}
