// API groups known to hold network or mesh policy, so objects the engine does not evaluate are refused.
import { isPolicyKind, KIND_GROUPS, kindApiVersions, kindDescriptor, POLICY_KIND_NAMES } from './kinds.ts';

/** An API group whose objects (all of them, or some kinds) change who may reach whom. */
export interface PolicyGroup {
  readonly group: string;
  /** Who defines it, for messages. */
  readonly vendor: string;
  /** Only these kinds are policy (the group also holds other things, e.g. Ingress). */
  readonly onlyKinds?: readonly string[];
  /** Kinds of the group that hold no policy (pools, routing, status); every other kind is policy. */
  readonly exceptKinds?: readonly string[];
}

/**
 * The groups of the kinds the engine evaluates, from their descriptors (kinds.ts): only the evaluated
 * kinds and the group's `morePolicyKinds` are policy where the group also holds other things.
 */
const EVALUATED_GROUPS: readonly PolicyGroup[] = Object.entries(KIND_GROUPS).map(([group, entry]) => {
  const more: readonly string[] | undefined = 'morePolicyKinds' in entry ? entry.morePolicyKinds : undefined;
  const evaluated = POLICY_KIND_NAMES.filter((kind) => kindDescriptor(kind).group === group);
  return { group, vendor: entry.vendor, ...(more ? { onlyKinds: [...evaluated, ...more] } : {}) };
});

/**
 * Data, not code: a group listed here makes an unknown kind of it an error rather than a silent
 * "allowed". Groups mixing policy and other kinds list one side explicitly; when in doubt a kind
 * counts as policy, because a CI gate must fail closed (`--ignore-kind` leaves it out knowingly).
 * The groups of evaluated kinds come first, from their descriptors.
 */
export const POLICY_GROUPS: readonly PolicyGroup[] = [
  ...EVALUATED_GROUPS,
  {
    group: 'crd.projectcalico.org',
    vendor: 'Calico',
    exceptKinds: [
      'BGPConfiguration',
      'BGPFilter',
      'BGPPeer',
      'BlockAffinity',
      'CalicoNodeStatus',
      'ClusterInformation',
      'FelixConfiguration',
      'IPAMBlock',
      'IPAMConfig',
      'IPAMHandle',
      'IPPool',
      'IPReservation',
      'KubeControllersConfiguration',
    ],
  },
  {
    group: 'projectcalico.org',
    vendor: 'Calico',
    exceptKinds: [
      'BGPConfiguration',
      'BGPFilter',
      'BGPPeer',
      'BlockAffinity',
      'CalicoNodeStatus',
      'ClusterInformation',
      'FelixConfiguration',
      'IPAMConfiguration',
      'IPPool',
      'IPReservation',
      'KubeControllersConfiguration',
    ],
  },
  {
    group: 'crd.antrea.io',
    vendor: 'Antrea',
    exceptKinds: [
      'BGPPolicy',
      'Egress',
      'ExternalIPPool',
      'ExternalNode',
      'IPPool',
      'NodeLatencyMonitor',
      'PacketCapture',
      'SupportBundleCollection',
      'Traceflow',
      'TrafficControl',
    ],
  },
  { group: 'policy.linkerd.io', vendor: 'Linkerd' },
  { group: 'k8s.ovn.org', vendor: 'OVN-Kubernetes', onlyKinds: ['EgressFirewall'] },
  { group: 'network.openshift.io', vendor: 'OpenShift', onlyKinds: ['EgressNetworkPolicy'] },
  { group: 'consul.hashicorp.com', vendor: 'Consul', onlyKinds: ['ServiceIntentions'] },
  { group: 'kuma.io', vendor: 'Kuma', onlyKinds: ['MeshTrafficPermission', 'TrafficPermission'] },
];

/** What an object is to the policy engine. */
export type ObjectRole =
  | { readonly role: 'evaluated' }
  | { readonly role: 'unevaluated-policy'; readonly group: string; readonly vendor: string }
  | { readonly role: 'other' };

/** The group of an apiVersion (`group/version`); the core group (`v1`) is the empty string. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Classifies an object by apiVersion and kind. Kinds the engine evaluates are `evaluated` whatever
 * their version (a wrong version is then refused by the parser, naming the versions it reads).
 */
export function classifyObject(apiVersion: string, kind: string): ObjectRole {
  const group = apiGroup(apiVersion);
  const known = isPolicyKind(kind);
  if (known && kindApiVersions(kind).some((v) => apiGroup(v) === group)) return { role: 'evaluated' };
  const entry = POLICY_GROUPS.find((g) => g.group === group);
  if (!entry) return known ? { role: 'evaluated' } : { role: 'other' };
  const policy = entry.onlyKinds ? entry.onlyKinds.includes(kind) : !(entry.exceptKinds ?? []).includes(kind);
  return policy ? { role: 'unevaluated-policy', group, vendor: entry.vendor } : { role: 'other' };
}

/** A `--ignore-kind` value: a kind, optionally restricted to one API group (`Kind.group`). */
export interface KindFilter {
  readonly kind: string;
  readonly group: string | undefined;
}

/** Parses `KIND` or `KIND.group`; returns an error text when it is neither. */
export function parseKindFilter(text: string): KindFilter | string {
  const m =
    /^([A-Za-z][A-Za-z0-9]{0,62})(?:\.([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*))?$/i.exec(text);
  if (!m || text.length > 253)
    return `"${text}" is not KIND or KIND.group (e.g. ClusterNetworkPolicy or GlobalNetworkPolicy.crd.projectcalico.org)`;
  return { kind: m[1]!, group: m[2]?.toLowerCase() };
}

/** True when the filter names this object's kind (case-insensitively) and, if given, its group. */
export function kindMatches(filter: KindFilter, apiVersion: string, kind: string): boolean {
  return (
    filter.kind.toLowerCase() === kind.toLowerCase() &&
    (filter.group === undefined || filter.group === apiGroup(apiVersion).toLowerCase())
  );
}

/** `Kind.group` (or `Kind` for the core group), as `--ignore-kind` takes it. */
export function qualifiedKind(apiVersion: string, kind: string): string {
  const group = apiGroup(apiVersion);
  return group ? `${kind}.${group}` : kind;
}

/**
 * What to say about objects left out on request (`--ignore-kind`), one line per `Kind.group`: said out
 * loud wherever a model is built, so a CI log shows what the verdicts do not cover.
 */
export function leftOutWarnings(leftOut: Readonly<Record<string, number>>): string[] {
  return Object.entries(leftOut).map(
    ([kind, count]) =>
      `left out ${count} ${kind} object(s) as asked by --ignore-kind: the matrix does not reflect them`,
  );
}
