// A cell as the model predicts it: its verdict and explanation, or why it cannot decide, and the
// evidence the catalogue of mismatch causes checks (protocol, where it denied, the deciding rules'
// kinds and ipBlocks, a node address as target).

import type { ModelVerdict } from '../model/matrix.ts';
import type { CellEvidence } from '../model/mismatch-evidence.ts';
import type { ErrorReason, Verdict } from '../model/outcome.ts';
import { formatBlock, parseAddress } from './cidr.ts';
import type { Model } from './model.ts';
import type { Rule } from './spec.ts';
import type { Decision, DirectionDecision } from './types.ts';

/** The model's L3/L4 rules by ref, and by `policy direction` (the rules of one direction of a policy). */
interface RuleIndex {
  readonly byRef: ReadonlyMap<string, Rule>;
  readonly byDirection: ReadonlyMap<string, readonly Rule[]>;
}

const indexes = new WeakMap<Model, RuleIndex>();

function ruleIndex(model: Model): RuleIndex {
  let found = indexes.get(model);
  if (!found) {
    const byRef = new Map<string, Rule>();
    const byDirection = new Map<string, Rule[]>();
    for (const p of model.policies) {
      if (p.layer !== 'network') continue;
      for (const rule of [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]) {
        byRef.set(rule.ref, rule);
        const direction = /^(.* (?:ingress|egress))\[\d+\]/.exec(rule.ref)?.[1];
        if (direction !== undefined) byDirection.set(direction, [...(byDirection.get(direction) ?? []), rule]);
      }
    }
    found = { byRef, byDirection };
    indexes.set(model, found);
  }
  return found;
}

/** The kind a policy or rule ref names: its first word (`NetworkPolicy d-redis/isolate ingress[0]`). */
const kindOf = (ref: string): string => ref.split(' ', 1)[0]!;

/**
 * The refs that decided one direction: the deciding rules, else the policies whose isolation denied
 * (with the direction, whose rules are the ones that could have allowed).
 */
function decidingRefs(side: DirectionDecision | undefined): readonly string[] {
  if (!side || side.decidedBy === 'not-isolated') return [];
  if (side.rules.length > 0) return side.rules;
  return side.verdict === 'deny' ? side.isolatedBy.map((p) => `${p} ${side.direction}`) : [];
}

/** The refs that decided a decision: the denying layer's, or for an allow every isolated direction's. */
function refsOf(d: Decision): readonly string[] {
  if (d.computed === 'deny') {
    if (d.deniedAt === 'mesh') return d.mesh?.rules.length ? d.mesh.rules : (d.mesh?.policies ?? []);
    return decidingRefs(d.deniedAt === 'egress' ? d.egress : d.ingress);
  }
  return [...decidingRefs(d.egress), ...decidingRefs(d.ingress)];
}

/** The rules a ref names: the rule itself, or for `policy direction` every rule of that direction. */
function rulesNamed(index: RuleIndex, ref: string): readonly Rule[] {
  const rule = index.byRef.get(ref);
  return rule ? [rule] : (index.byDirection.get(ref) ?? []);
}

/** True when the decision's destination is an IP among the model's node addresses. */
function toNode(model: Model, d: Decision): boolean {
  if (d.to.kind !== 'ip') return false;
  const to = parseAddress(d.to.ip);
  const nodes = model.engine.cluster.nodes ?? [];
  return to !== undefined && nodes.some((n) => n.addresses.some((a) => a.kind === to.kind && a.value === to.value));
}

/**
 * The evidence of a cell from the decisions that gave its verdict (one per source and backend pair,
 * all with the same verdict). `decisions` is never empty.
 */
export function cellEvidence(model: Model, decisions: readonly Decision[]): CellEvidence {
  const index = ruleIndex(model);
  const kinds = new Set<string>();
  const ipBlocks = new Set<string>();
  let deniedAt: Decision['deniedAt'];
  let nodeTarget = false;
  for (const d of decisions) {
    deniedAt ??= d.deniedAt;
    nodeTarget ||= toNode(model, d);
    for (const ref of refsOf(d)) {
      kinds.add(kindOf(ref));
      for (const rule of rulesNamed(index, ref)) {
        if (rule.peers === 'all') continue;
        for (const peer of rule.peers) if (peer.kind === 'cidr') ipBlocks.add(formatBlock(peer.block));
      }
    }
  }
  return {
    protocol: decisions[0]!.protocol,
    ...(deniedAt ? { deniedAt } : {}),
    kinds: [...kinds],
    ipBlocks: [...ipBlocks],
    ...(nodeTarget ? { nodeTarget } : {}),
  };
}

/** A cell the model can decide, or why it cannot. */
export type Prediction =
  | {
      readonly kind: 'verdict';
      /** `loopback` when every source workload only reaches itself (hairpin through its own Service). */
      readonly verdict: Verdict | 'loopback';
      readonly computed: Verdict;
      readonly deniedAt: Decision['deniedAt'];
      /** Empty when the report it is made for prints no explanation (a matrix read off the bitsets). */
      readonly explanation: readonly string[];
      /** What the mismatch causes are checked against (predictTest gives it). */
      readonly evidence?: CellEvidence;
    }
  | { readonly kind: 'unknown'; readonly reason: ErrorReason; readonly detail: string };

/**
 * One decision as a prediction: its verdict with the explanation, or, when the policies cannot
 * decide it (pod IPs unknown), an `undecidable` cell naming why.
 */
export function predictionOf(d: Decision): Prediction {
  if (d.computed === 'unknown') {
    const why =
      [d.egress, d.ingress, d.mesh].find((side) => side?.verdict === 'unknown')?.explanation ??
      d.explanation.join('; ');
    return { kind: 'unknown', reason: 'undecidable', detail: why };
  }
  return {
    kind: 'verdict',
    verdict: d.verdict === 'loopback' ? 'loopback' : d.computed,
    computed: d.computed,
    deniedAt: d.deniedAt,
    explanation: d.explanation,
  };
}

/** The model's side of a three-way comparison: verdicts of the cells the model can decide. */
export function modelVerdicts(
  predictions: ReadonlyMap<string, ReadonlyMap<string, Prediction>>,
): Map<string, Map<string, ModelVerdict>> {
  const out = new Map<string, Map<string, ModelVerdict>>();
  for (const [source, row] of predictions) {
    const verdicts = new Map<string, ModelVerdict>();
    for (const [target, p] of row)
      if (p.kind === 'verdict')
        verdicts.set(target, {
          verdict: p.verdict,
          explanation: p.explanation,
          ...(p.evidence ? { evidence: p.evidence } : {}),
        });
    out.set(source, verdicts);
  }
  return out;
}
