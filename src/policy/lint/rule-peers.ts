// Lint checks on what a rule's ports and CIDRs meet: named ports no pod declares (PL004), ipBlocks that also hold
// pod IPs (PL005).
import type { Bitset } from '../bitset.ts';
import { type CidrBlock, formatBlock, inBlock, isUniversal } from '../cidr.ts';
import type { Engine } from '../model.ts';
import type { NamedPort } from '../ports.ts';
import type { ParsedPolicy, Rule } from '../spec.ts';
import { type Finding, finding, nameList } from './findings.ts';
import { networkPolicies } from './selection.ts';

/** Workloads a rule's traffic may go to: the policy's pods for ingress, the rule's peers for egress. */
function destinations(engine: Engine, rule: Rule, direction: 'ingress' | 'egress', subject: Bitset): Bitset {
  if (direction === 'ingress') return subject;
  if (rule.peers === 'all') return engine.sets.all;
  const cov = engine.sets.ruleSets(rule);
  return cov.maybe.isEmpty() ? cov.yes : cov.yes.clone().or(cov.maybe);
}

function declares(engine: Engine, targets: Bitset, spec: NamedPort): boolean {
  for (const index of targets) {
    const w = engine.cluster.workloads[index]!;
    if (w.ports.some((c) => c.name === spec.name && spec.protocols.includes(c.protocol))) return true;
  }
  return false;
}

/** PL004: named ports that no destination pod of the rule declares with the rule's protocol. */
export function unexposedNamedPorts(engine: Engine, policies: readonly ParsedPolicy[]): Finding[] {
  const out: Finding[] = [];
  for (const policy of networkPolicies(policies)) {
    const subject = engine.sets.pods(policy.subject);
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of policy[direction]?.rules ?? []) {
        if (rule.ports.kind === 'all') continue;
        const named = rule.ports.specs.filter((s): s is NamedPort => s.kind === 'name');
        if (named.length === 0) continue;
        const targets = destinations(engine, rule, direction, subject);
        // With no destination at all, PL001/PL002 already say so.
        if (targets.isEmpty()) continue;
        const missing = named.filter((spec) => !declares(engine, targets, spec));
        if (missing.length === 0) continue;
        const names = missing.map((s) => `"${s.name}" (${s.protocols.join('|')})`);
        const who = [...targets].map((i) => engine.cluster.workloads[i]!.id);
        out.push(
          finding(
            'PL004',
            policy.source,
            rule.ref,
            `${rule.ref} names port ${names.join(', ')}, which no pod it applies to declares (${nameList(who)}): that port matches no traffic`,
            'use the containerPort name the pods declare (same protocol), or the port number',
          ),
        );
      }
    }
  }
  return out;
}

const VERB = { allow: 'allows', deny: 'denies', pass: 'passes' } as const;

/** Workloads with a known pod IP inside the block. */
function podsInside(engine: Engine, block: CidrBlock): string[] {
  return engine.cluster.workloads.filter((w) => w.addresses.some((a) => inBlock(block, a))).map((w) => w.id);
}

/**
 * PL005: CIDR peers that apply to pods and hold some known pod IP. A block of every address (0.0.0.0/0, ::/0)
 * is meant for everything and is not reported. Cilium CIDR rules never apply to pods, so they are not either.
 */
export function ipBlocksOverlappingPods(engine: Engine, policies: readonly ParsedPolicy[]): Finding[] {
  const out: Finding[] = [];
  const cache = new Map<string, string[]>();
  for (const policy of networkPolicies(policies)) {
    for (const rule of [...(policy.ingress?.rules ?? []), ...(policy.egress?.rules ?? [])]) {
      if (rule.peers === 'all') continue;
      for (const peer of rule.peers) {
        if (peer.kind !== 'cidr' || !peer.pods || isUniversal(peer.block)) continue;
        let inside = cache.get(peer.block.key);
        if (!inside) {
          inside = podsInside(engine, peer.block);
          cache.set(peer.block.key, inside);
        }
        if (inside.length === 0) continue;
        out.push(
          finding(
            'PL005',
            policy.source,
            `${rule.ref} ${formatBlock(peer.block)}`,
            `${rule.ref}: ${formatBlock(peer.block)} also holds the pod IPs of ${nameList(inside)}, so the rule ${VERB[rule.action]} them too`,
            'list the pod network under except, or select pods with podSelector/namespaceSelector instead',
          ),
        );
      }
    }
  }
  return out;
}
