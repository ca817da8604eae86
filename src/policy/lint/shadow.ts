// Lint check PL003: admin and baseline rules that never decide, because a rule evaluated before them (a higher
// priority, an earlier rule, a Pass) or a NetworkPolicy isolating every pod they apply to takes all their traffic.
import type { Direction, DirectionAttachments } from '../attach.ts';
import { inBlock, isUniversal } from '../cidr.ts';
import type { Engine } from '../model.ts';
import type { PortSelection, PortSpec } from '../ports.ts';
import type { NetworkLayerPolicy, ParsedPolicy, PeerSpec, Rule } from '../spec.ts';
import { type Finding, finding } from './findings.ts';
import { networkPolicies } from './selection.ts';

function specCovers(wide: PortSpec, narrow: PortSpec): boolean {
  if (!narrow.protocols.every((p) => wide.protocols.includes(p))) return false;
  if (wide.kind === 'number' && narrow.kind === 'number') return wide.from <= narrow.from && narrow.to <= wide.to;
  return wide.kind === 'name' && narrow.kind === 'name' && wide.name === narrow.name;
}

/** True when every port `narrow` selects is also selected by `wide` (named ports compare by name). */
function portsCover(wide: PortSelection, narrow: PortSelection): boolean {
  if (wide.kind === 'all') return true;
  if (narrow.kind === 'all') return false;
  return narrow.specs.every((n) => wide.specs.some((w) => specCovers(w, n)));
}

/** True when `wide`'s peers surely include every pod and address of `narrow`'s (which must match something). */
function peersCover(engine: Engine, wide: Rule, narrow: Rule): boolean {
  if (wide.peers === 'all') return true;
  if (narrow.peers === 'all') return false;
  const wideYes = engine.sets.ruleSets(wide).yes;
  const widePeers = wide.peers;
  return narrow.peers.every((peer: PeerSpec) => {
    switch (peer.kind) {
      case 'pods': {
        const pods = engine.sets.pods(peer);
        return !pods.isEmpty() && pods.clone().andNot(wideYes).isEmpty();
      }
      case 'cidr':
        return widePeers.some(
          (w) =>
            w.kind === 'cidr' &&
            w.block.exceptRanges.length === 0 &&
            (w.pods || !peer.pods) &&
            w.block.range.bits <= peer.block.range.bits &&
            inBlock(w.block, peer.block.range.base),
        );
      case 'domains':
        // Names stand for outside addresses: covered by the same names, or by every address of both families.
        return (
          peer.names.every((n) => widePeers.some((w) => w.kind === 'domains' && w.names.includes(n))) ||
          (['ipv4', 'ipv6'] as const).every((f) =>
            widePeers.some((w) => w.kind === 'cidr' && isUniversal(w.block) && w.block.range.base.kind === f),
          )
        );
      default:
        return false;
    }
  });
}

/** The action as the policy writes it: ClusterNetworkPolicy says Accept where v1alpha1 says Allow. */
function actionWord(rule: Rule): string {
  if (rule.action === 'allow') return rule.tie ? 'Accept' : 'Allow';
  return rule.action === 'deny' ? 'Deny' : 'Pass';
}

interface Tally {
  subjects: number;
  shadowed: number;
  by: Rule | undefined;
}

/** PL003: admin/baseline rules shadowed on every pod they apply to. */
export function shadowedRules(engine: Engine, policies: readonly ParsedPolicy[]): Finding[] {
  const owner = new Map<Rule, NetworkLayerPolicy>();
  for (const p of networkPolicies(policies))
    for (const r of [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]) owner.set(r, p);
  const covering = new Map<Rule, Map<Rule, boolean>>();
  const covers = (wide: Rule, narrow: Rule): boolean => {
    let row = covering.get(narrow);
    if (!row) {
      row = new Map();
      covering.set(narrow, row);
    }
    let result = row.get(wide);
    if (result === undefined) {
      result = portsCover(wide.ports, narrow.ports) && peersCover(engine, wide, narrow);
      row.set(wide, result);
    }
    return result;
  };
  const tallies = new Map<Rule, Tally>();
  const note = (rule: Rule, by: Rule | undefined | 'isolated'): void => {
    let t = tallies.get(rule);
    if (!t) {
      t = { subjects: 0, shadowed: 0, by: undefined };
      tallies.set(rule, t);
    }
    t.subjects++;
    if (by === undefined) return;
    t.shadowed++;
    if (by !== 'isolated') t.by ??= by;
  };
  // ClusterNetworkPolicies tied on tier and priority have no order: one never shadows another.
  const ordered = (e: Rule, rule: Rule): boolean =>
    e.tie === undefined || e.tie !== rule.tie || e.policy === rule.policy;
  const walk = (list: readonly Rule[], after: Rule[]): void => {
    list.forEach((rule, i) => {
      const earlier = [...after, ...list.slice(0, i)].filter((e) => ordered(e, rule));
      note(
        rule,
        earlier.find((e) => covers(e, rule)),
      );
    });
  };
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    engine.attachments[direction].forEach((att: DirectionAttachments) => {
      walk(att.admin, []);
      // NetworkPolicy decides everything for a pod it isolates: baseline rules are never reached there.
      if (att.network.some((a) => a.section.isolates)) for (const rule of att.baseline) note(rule, 'isolated');
      else walk(att.baseline, []);
    });
  }
  const out: Finding[] = [];
  for (const [rule, t] of tallies) {
    if (t.subjects === 0 || t.shadowed < t.subjects) continue;
    const policy = owner.get(rule);
    const action = actionWord(rule);
    let why: string;
    let hint: string;
    if (!t.by) {
      why =
        'NetworkPolicy isolates every pod it applies to, and baseline rules only apply to pods no NetworkPolicy isolates';
      hint = 'move the rule into a NetworkPolicy, or delete it';
    } else {
      const byPolicy = owner.get(t.by);
      const priority = byPolicy?.tier === 'admin' || t.by.tie ? `, priority ${byPolicy?.priority}` : '';
      const byAction = actionWord(t.by);
      why = `${t.by.ref} (${byAction}${priority}) matches all its traffic first`;
      hint =
        t.by.action === rule.action
          ? 'it is redundant: delete it'
          : `give ${policy?.tier === 'admin' || rule.tie ? 'its policy a lower priority number or ' : ''}the rule an earlier place, or narrow ${t.by.ref}`;
    }
    out.push(finding('PL003', policy?.source, rule.ref, `${rule.ref} (${action}) never decides: ${why}`, hint));
  }
  return out;
}
