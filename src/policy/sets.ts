// Which workloads each selector or peer covers, as cached bit sets (the engine's main speed-up).

import type { IpFamily } from '../model/family.ts';
import { Bitset } from './bitset.ts';
import { type Address, type CidrBlock, inBlock, isUniversal } from './cidr.ts';
import type { Cluster, Workload } from './cluster.ts';
import { domainMatches, domainsCoverPods } from './fqdn.ts';
import { matches } from './labels.ts';
import { nodesCoverAddress, nodesCoverName } from './nodes.ts';
import type { NamespaceScope, PeerSpec, PodsSpec, Rule } from './spec.ts';

/** Whether a rule or peer matches: surely, surely not, or depending on pod IPs the inputs do not give. */
export type Match = 'yes' | 'no' | 'maybe';

/** Workloads surely matched, and those whose match is undecidable (disjoint sets). */
export interface Coverage {
  readonly yes: Bitset;
  readonly maybe: Bitset;
}

/**
 * The remote workloads one side may allow and may deny. A remote in both sets is undecidable
 * (a CIDR rule and a pod IP nobody gave); without CIDR rules the sets are complements.
 */
export interface SideSets {
  readonly allow: Bitset;
  readonly deny: Bitset;
}

/**
 * The other end of a connection as rules see it: a workload (maybe one of its pod IPs), an outside address,
 * or an outside destination known by its DNS name only (a test target written as a name), with the family
 * it is reached over when the target names one.
 */
export interface Remote {
  readonly workload?: Workload;
  readonly address?: Address;
  readonly name?: string;
  readonly family?: IpFamily;
}

function scopeKey(scope: NamespaceScope): string {
  return scope.kind === 'names' ? `n:${scope.names.join(',')}` : `s:${scope.selector.key}`;
}

function podsKey(spec: PodsSpec): string {
  return `${spec.view}|${scopeKey(spec.namespaces)}|${spec.pods.key}`;
}

/** Computes and caches workload sets for one cluster. Selectors are evaluated once each. */
export class PeerSets {
  readonly cluster: Cluster;
  readonly all: Bitset;
  readonly none: Bitset;
  private readonly podsCache = new Map<string, Bitset>();
  /** By object, so each peer is computed once. */
  private readonly peerCache = new Map<PeerSpec, Coverage>();
  /** By object, so each rule's peers are computed once. */
  private readonly ruleCache = new Map<'all' | readonly PeerSpec[], Coverage>();
  /** By content, so equal CIDR peers written in different policies are computed once. */
  private readonly contentCache = new Map<string, Coverage>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.all = Bitset.full(cluster.workloads.length);
    this.none = new Bitset(cluster.workloads.length);
  }

  private namespaceIndexes(scope: NamespaceScope): number[] {
    if (scope.kind === 'names') {
      return scope.names.flatMap((name) => {
        const ns = this.cluster.namespaceByName.get(name);
        return ns ? [ns.index] : [];
      });
    }
    return this.cluster.namespaces.filter((ns) => matches(scope.selector, ns.labels)).map((ns) => ns.index);
  }

  /** Workloads chosen by namespace and label. */
  pods(spec: PodsSpec): Bitset {
    const key = podsKey(spec);
    let set = this.podsCache.get(key);
    if (!set) {
      set = new Bitset(this.cluster.workloads.length);
      for (const nsIndex of this.namespaceIndexes(spec.namespaces)) {
        const ns = this.cluster.namespaces[nsIndex]!;
        for (let i = ns.first; i < ns.end; i++) {
          const w = this.cluster.workloads[i]!;
          if (matches(spec.pods, spec.view === 'cilium' ? w.ciliumLabels : w.labels)) set.add(i);
        }
      }
      this.podsCache.set(key, set);
    }
    return set;
  }

  /** Workloads one peer surely covers (for a CIDR: every pod's IP is known and inside), and those it may cover. */
  private peerSets(spec: PeerSpec): Coverage {
    let sets = this.peerCache.get(spec);
    if (sets) return sets;
    switch (spec.kind) {
      case 'pods':
        sets = { yes: this.pods(spec), maybe: this.none };
        break;
      case 'cidr': {
        const key = `${spec.pods}|${spec.block.key}`;
        sets = this.contentCache.get(key);
        if (!sets) {
          const yes = new Bitset(this.cluster.workloads.length);
          const maybe = new Bitset(this.cluster.workloads.length);
          if (spec.pods) {
            for (const w of this.cluster.workloads) {
              const m = cidrCovers(spec.block, w);
              if (m === 'yes') yes.add(w.index);
              else if (m === 'maybe') maybe.add(w.index);
            }
          }
          sets = { yes, maybe: maybe.isEmpty() ? this.none : maybe };
          this.contentCache.set(key, sets);
        }
        break;
      }
      case 'entity':
        sets = { yes: spec.entity === 'world' ? this.none : this.all, maybe: this.none };
        break;
      case 'domains':
        // Names stand for outside destinations; only names that may be pods' own records leave pods undecided.
        sets = { yes: this.none, maybe: domainsCoverPods(spec) === 'maybe' ? this.all : this.none };
        break;
      case 'nodes':
        // The model's pods are on the pod network (the loaders leave hostNetwork pods out): never a node's IP.
        sets = { yes: this.none, maybe: this.none };
        break;
      default: {
        const never: never = spec;
        return never;
      }
    }
    this.peerCache.set(spec, sets);
    return sets;
  }

  /** Workloads a rule's peers surely cover, and those it may cover (disjoint). */
  ruleSets(rule: Rule): Coverage {
    const peers = rule.peers;
    let sets = this.ruleCache.get(peers);
    if (!sets) {
      if (peers === 'all') sets = { yes: this.all, maybe: this.none };
      else if (peers.length === 1) sets = this.peerSets(peers[0]!);
      else {
        const yes = new Bitset(this.cluster.workloads.length);
        const maybe = new Bitset(this.cluster.workloads.length);
        for (const p of peers) {
          const one = this.peerSets(p);
          yes.or(one.yes);
          maybe.or(one.maybe);
        }
        maybe.andNot(yes);
        sets = { yes, maybe: maybe.isEmpty() ? this.none : maybe };
      }
      this.ruleCache.set(peers, sets);
    }
    return sets;
  }

  /** Whether one peer covers a remote end (a workload, one of its pods' IPs, or an outside address). */
  peerCovers(spec: PeerSpec, remote: Remote): Match {
    if (remote.workload) {
      // A specific pod IP is judged on its own; otherwise every pod of the workload must match.
      if (spec.kind === 'cidr' && remote.address)
        return spec.pods && inBlock(spec.block, remote.address) ? 'yes' : 'no';
      const sets = this.peerSets(spec);
      return sets.yes.has(remote.workload.index) ? 'yes' : sets.maybe.has(remote.workload.index) ? 'maybe' : 'no';
    }
    switch (spec.kind) {
      case 'pods':
        return 'no';
      case 'cidr':
        if (remote.address === undefined) return universalFor(spec.block, remote.family) ? 'yes' : 'maybe';
        return inBlock(spec.block, remote.address) ? 'yes' : 'no';
      case 'entity':
        return spec.entity !== 'cluster' ? 'yes' : 'no';
      case 'domains':
        // An address is covered when a DNS answer for one of the names held it: unknown to the model.
        if (remote.name === undefined) return 'maybe';
        return spec.names.some((n) => domainMatches(n, remote.name!)) ? 'yes' : 'no';
      case 'nodes':
        return remote.address === undefined
          ? nodesCoverName(spec, this.cluster.nodes)
          : nodesCoverAddress(spec, this.cluster.nodes, remote.address);
      default: {
        const never: never = spec;
        return never;
      }
    }
  }

  /** Whether a rule's peers cover a remote end: surely, not at all, or depending on unknown pod IPs. */
  ruleCovers(rule: Rule, remote: Remote): Match {
    if (rule.peers === 'all') return 'yes';
    if (remote.workload && !remote.address) {
      const sets = this.ruleSets(rule);
      return sets.yes.has(remote.workload.index) ? 'yes' : sets.maybe.has(remote.workload.index) ? 'maybe' : 'no';
    }
    let result: Match = 'no';
    for (const p of rule.peers) {
      const m = this.peerCovers(p, remote);
      if (m === 'yes') return 'yes';
      if (m === 'maybe') result = 'maybe';
    }
    // A name of no known family is surely covered when the rule holds every address of both families.
    if (result === 'maybe' && remote.address === undefined && !remote.workload && !remote.family) {
      const universal = (f: IpFamily): boolean =>
        rule.peers !== 'all' && rule.peers.some((p) => p.kind === 'cidr' && universalFor(p.block, f));
      if (universal('ipv4') && universal('ipv6')) return 'yes';
    }
    return result;
  }
}

/**
 * Whether a block holds every address a named destination may resolve to: a block of every address of
 * the target's family (0.0.0.0/0, ::/0, no except). Without a family one block covers only half.
 */
function universalFor(block: CidrBlock, family: IpFamily | undefined): boolean {
  return family !== undefined && isUniversal(block) && block.range.base.kind === family;
}

/**
 * How a CIDR block covers a workload's pods: `yes` when every pod's IP is known and inside, `no`
 * when every pod's IP is known and outside, `maybe` when pods differ or some IP is unknown. Without
 * an IP only a block of every address of its family (0.0.0.0/0, ::/0, no except) surely holds a pod.
 */
function cidrCovers(block: CidrBlock, w: Workload): Match {
  let inside = 0;
  for (const a of w.addresses) if (inBlock(block, a)) inside++;
  if (w.ipsKnown) return inside === w.addresses.length ? 'yes' : inside === 0 ? 'no' : 'maybe';
  return isUniversal(block) && inside === w.addresses.length ? 'yes' : 'maybe';
}
