// The evidence a run holds about why observed and the policy model disagree: per cell and over the run.

/** The L4 protocol the policies judged a cell by. */
type CellProtocol = 'TCP' | 'UDP' | 'SCTP';

/** What the policy model knew about one cell beyond its verdict: what the cause catalogue checks. */
export interface CellEvidence {
  /** The protocol the policies judged the cell by (UDP for `udp://` and `dns://`, else TCP). */
  readonly protocol: CellProtocol;
  /** Where the model denied: a network-layer direction, or the target's mesh sidecar. */
  readonly deniedAt?: 'egress' | 'ingress' | 'mesh';
  /**
   * The kinds of the policies that decided the verdict (`NetworkPolicy`, `ClusterNetworkPolicy` …):
   * for a deny the denying side's, for an allow the allowing rules' of each isolated direction.
   */
  readonly kinds: readonly string[];
  /** The `ipBlock` CIDRs among the deciding rules' peers, as written (`10.0.0.0/8 except 10.0.1.0/24`). */
  readonly ipBlocks: readonly string[];
  /** The target's address is one of a node's (a hostNetwork pod, the node itself). */
  readonly nodeTarget?: boolean;
}

/** One cell as the run-wide tally sees it. */
export interface EvidenceCell {
  readonly observed: 'allow' | 'deny' | 'error' | null;
  readonly modelVerdict: 'allow' | 'deny' | 'loopback' | undefined;
  readonly evidence: CellEvidence | undefined;
}

/**
 * What the whole run shows about enforcement, over the cells the model denies at the network layer
 * (NetworkPolicy and its kin, not a sidecar) and that were observed allow or deny.
 */
export interface RunEvidence {
  /** Such cells observed denied: the CNI enforced something. */
  readonly networkDeniesSeen: number;
  /** Per policy kind: such cells the kind decided, and how many of them were observed denied. */
  readonly byKind: ReadonlyMap<string, { readonly denied: number; readonly seen: number }>;
  /** Per protocol, the same. */
  readonly byProtocol: ReadonlyMap<CellProtocol, { readonly denied: number; readonly seen: number }>;
  /** Cells the model decided by rules without an `ipBlock` whose observation agreed with it. */
  readonly agreedWithoutIpBlock: number;
}

/** The model denied the cell at the network layer (an egress or ingress policy, not a sidecar). */
export function networkDenied(cell: Pick<EvidenceCell, 'modelVerdict' | 'evidence'>): boolean {
  const at = cell.evidence?.deniedAt;
  return cell.modelVerdict === 'deny' && (at === 'egress' || at === 'ingress');
}

/** Tallies the run's evidence in one pass over its cells (bounded: a few counters per kind and protocol). */
export function tallyEvidence(cells: Iterable<EvidenceCell>): RunEvidence {
  let networkDeniesSeen = 0;
  let agreedWithoutIpBlock = 0;
  const byKind = new Map<string, { denied: number; seen: number }>();
  const byProtocol = new Map<CellProtocol, { denied: number; seen: number }>();
  const count = <K>(map: Map<K, { denied: number; seen: number }>, key: K, denied: boolean): void => {
    const entry = map.get(key) ?? { denied: 0, seen: 0 };
    entry.seen++;
    if (denied) entry.denied++;
    map.set(key, entry);
  };
  for (const cell of cells) {
    const { observed, modelVerdict, evidence } = cell;
    if (!evidence || (observed !== 'allow' && observed !== 'deny')) continue;
    if (observed === modelVerdict && evidence.ipBlocks.length === 0) agreedWithoutIpBlock++;
    if (!networkDenied(cell)) continue;
    const denied = observed === 'deny';
    if (denied) networkDeniesSeen++;
    for (const kind of new Set(evidence.kinds)) count(byKind, kind, denied);
    count(byProtocol, evidence.protocol, denied);
  }
  return { networkDeniesSeen, byKind, byProtocol, agreedWithoutIpBlock };
}
