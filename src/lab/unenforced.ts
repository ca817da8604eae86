// What the lab's CNI leaves unenforced (`lab apply --unenforced`): the lab then behaves as a cluster
// whose CNI lacks NetworkPolicy (flannel alone), a protocol or a policy kind, while the policy model
// still holds every applied policy, so the mismatches a real cluster shows can be made on purpose.

import { isPolicyKind, type PolicyInput, type Protocol } from '../policy/index.ts';

/** What is left unenforced; the sidecars (Istio) are the mesh's, not the CNI's, and always enforce. */
export interface Unenforced {
  /** No L3/L4 policy at all: every pod's firewall stays open, as with a CNI without policy support. */
  readonly all: boolean;
  /** Protocols the CNI's rules never filter (every packet of them passes). */
  readonly protocols: readonly Protocol[];
  /** Policy kinds the CNI does not implement: compiled as if they were not applied. */
  readonly kinds: readonly string[];
}

/** Nothing left out: the lab enforces every policy, as it always did. */
export const ENFORCE_ALL: Unenforced = { all: false, protocols: [], kinds: [] };

/** The kinds the mesh enforces, not the CNI: `--unenforced` cannot name them. */
const MESH_KINDS = new Set(['AuthorizationPolicy', 'PeerAuthentication']);

/** What `--unenforced` takes, for messages and help. */
const UNENFORCED_CHOICES = 'all, udp, sctp, or a policy kind (NetworkPolicy, ClusterNetworkPolicy …)';

/**
 * Reads `--unenforced` values: `all`, `udp`, `sctp` (any case), or an L3/L4 policy kind by its exact
 * name. Returns why a value is refused as a string.
 */
export function parseUnenforced(values: readonly string[]): Unenforced | string {
  let all = false;
  const protocols = new Set<Protocol>();
  const kinds = new Set<string>();
  for (const value of values) {
    const lower = value.toLowerCase();
    if (lower === 'all') all = true;
    else if (lower === 'udp' || lower === 'sctp') protocols.add(lower === 'udp' ? 'UDP' : 'SCTP');
    else if (isPolicyKind(value) && !MESH_KINDS.has(value)) kinds.add(value);
    else if (MESH_KINDS.has(value))
      return `--unenforced ${value}: the lab's sidecars enforce ${value}, not its CNI; leave the policy out instead`;
    else return `--unenforced ${JSON.stringify(value)}: expected ${UNENFORCED_CHOICES}`;
  }
  return { all, protocols: [...protocols], kinds: [...kinds] };
}

/** The policies the CNI enforces: those of a kind it implements. */
export function enforcedPolicies(policies: readonly PolicyInput[], unenforced: Unenforced): PolicyInput[] {
  if (unenforced.kinds.length === 0) return [...policies];
  const left = new Set(unenforced.kinds);
  return policies.filter((p) => !left.has(String((p.manifest as { kind?: unknown } | null)?.kind)));
}

/** How `lab status` and `lab apply` name what is left unenforced, or undefined when nothing is. */
export function describeUnenforced(unenforced: Unenforced | undefined): string | undefined {
  if (!unenforced) return undefined;
  const parts = [
    ...(unenforced.all ? ['every L3/L4 policy (as a CNI without NetworkPolicy support)'] : []),
    ...unenforced.protocols,
    ...unenforced.kinds,
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}
