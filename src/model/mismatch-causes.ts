// The catalogue of known causes of a disagreement between observed and the policy model, each
// with the rule that checks it against the run's evidence: a cell gets a cause only when it holds.

import { type CellEvidence, networkDenied, type RunEvidence } from './mismatch-evidence.ts';

/** The stable codes of the catalogue, in the order they are tried. */
type CauseCode =
  | 'host-network'
  | 'mesh-proxy-answers'
  | 'no-enforcement'
  | 'protocol-unsupported'
  | 'kind-unsupported'
  | 'ipblock-snat';

/** A cell's likely cause: its code and one sentence a person reads. */
export interface MismatchCause {
  readonly code: CauseCode;
  readonly sentence: string;
}

/** One cell where observed disagrees with the model, with what the run knows about it. */
export interface MismatchInput {
  /** The target URL's scheme (`tcp`, `http` …). */
  readonly scheme: string;
  readonly observed: 'allow' | 'deny';
  readonly modelVerdict: 'allow' | 'deny';
  readonly evidence: CellEvidence;
  /** The backend probed from a hostNetwork pod (its node's address). */
  readonly sourceHostNetwork?: boolean;
}

/** One entry of the catalogue: what the code means and when the run supports it. */
interface CauseRule {
  readonly code: CauseCode;
  /** What the rule asks of the evidence, for the documentation. */
  readonly evidence: string;
  /** The sentence when the rule holds for the cell, else undefined. */
  readonly check: (cell: MismatchInput, run: RunEvidence) => string | undefined;
}

const list = (items: readonly string[]): string => items.join(', ');

/** The catalogue, in the order its rules are tried: the first that holds names the cause. */
export const MISMATCH_CAUSES: readonly CauseRule[] = [
  {
    code: 'host-network',
    evidence: 'the source was a hostNetwork pod, or the target address is a node address',
    check: (cell) => {
      const side = cell.sourceHostNetwork ? 'the source' : cell.evidence.nodeTarget ? 'the target' : undefined;
      if (!side) return undefined;
      return `${side} uses its node's network (hostNetwork or a node address): NetworkPolicy selects no such pod, and many CNIs (the lab too) let traffic between pods and their node through whatever the policies say`;
    },
  },
  {
    code: 'mesh-proxy-answers',
    evidence: "a `tcp://` probe connected where the model denies at the target's mesh sidecar",
    check: (cell) =>
      cell.scheme === 'tcp' &&
      cell.observed === 'allow' &&
      cell.modelVerdict === 'deny' &&
      cell.evidence.deniedAt === 'mesh'
        ? "the target's mesh sidecar completes the TCP handshake itself and judges the connection only once data flows, so a plain tcp:// connect looks open where the mesh policy denies: probe with the application's protocol (http://, redis://)"
        : undefined,
  },
  {
    code: 'no-enforcement',
    evidence: 'the model denies the cell at the network layer and no such cell of the run was observed denied',
    check: (cell, run) =>
      networkDenied(cell) && cell.observed === 'allow' && run.networkDeniesSeen === 0
        ? 'no cell the policies deny at the network layer was denied in this run: the CNI enforces no NetworkPolicy (flannel alone, or no policy engine), or the policies are not applied'
        : undefined,
  },
  {
    code: 'protocol-unsupported',
    evidence: 'every UDP/SCTP cell the model denies was allowed, while denies of another protocol held',
    check: (cell, run) => {
      const { protocol } = cell.evidence;
      if (protocol === 'TCP' || !networkDenied(cell) || cell.observed !== 'allow') return undefined;
      if ((run.byProtocol.get(protocol)?.denied ?? 0) > 0 || run.networkDeniesSeen === 0) return undefined;
      return `every ${protocol} cell the policies deny was allowed while denies over other protocols held: the CNI does not enforce NetworkPolicy for ${protocol}`;
    },
  },
  {
    code: 'kind-unsupported',
    evidence:
      'the kind that decided the cell (its deny, or its allow over another kind) had none of its denies held, while denies by other kinds held',
    check: (cell, run) => {
      // A deny of the kind let through, or an allow of the kind (an Accept over a NetworkPolicy) not honoured.
      const denyLetThrough = networkDenied(cell) && cell.observed === 'allow';
      const allowNotHonoured = cell.modelVerdict === 'allow' && cell.observed === 'deny';
      if (!(denyLetThrough || allowNotHonoured) || run.networkDeniesSeen === 0) return undefined;
      const unenforced = cell.evidence.kinds.filter((k) => {
        const tally = run.byKind.get(k);
        return tally !== undefined && tally.seen > 0 && tally.denied === 0;
      });
      if (unenforced.length === 0) return undefined;
      return `no deny of ${list(unenforced)} held in this run while denies by other kinds did: the CNI does not implement ${list(unenforced)}`;
    },
  },
  {
    code: 'ipblock-snat',
    evidence: 'the verdict rests on an `ipBlock`, while cells decided without one agreed with the model',
    check: (cell, run) => {
      const blocks = cell.evidence.ipBlocks;
      if (blocks.length === 0 || run.agreedWithoutIpBlock === 0) return undefined;
      return `the verdict rests on ipBlock ${list(blocks)}, while cells decided without an ipBlock agreed with the model: the packet carried another address than the pod's (SNAT: masquerade, an egress gateway, a Service's externalTrafficPolicy: Cluster; or a node's address)`;
    },
  },
];

/**
 * The likely cause of one cell's disagreement, from the catalogue, or undefined when the evidence of
 * the run supports none: never a guess. Cells where observed and model agree have no cause.
 */
export function mismatchCause(cell: MismatchInput, run: RunEvidence): MismatchCause | undefined {
  if (cell.observed === cell.modelVerdict) return undefined;
  for (const rule of MISMATCH_CAUSES) {
    const sentence = rule.check(cell, run);
    if (sentence !== undefined) return { code: rule.code, sentence };
  }
  return undefined;
}
