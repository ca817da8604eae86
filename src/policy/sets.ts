// Which workloads each selector or peer covers, as cached bit sets (the engine's main speed-up).
import { Bitset } from './bitset.ts';
import { inBlock, isUniversal, type Address } from './cidr.ts';
import type { Cluster, Workload } from './cluster.ts';
import { matches } from './labels.ts';
import type { NamespaceScope, PeerSpec, PodsSpec, Rule } from './spec.ts';

/** The other end of a connection as rules see it: a workload (maybe one of its pod IPs) or an outside address. */
export interface Remote {
  readonly workload?: Workload;
  readonly address?: Address;
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
  /** By object, so each rule's peers are computed once. */
  private readonly peerCache = new Map<PeerSpec | 'all' | readonly PeerSpec[], Bitset>();
  /** By content, so equal peers written in different policies are computed once. */
  private readonly contentCache = new Map<string, Bitset>();

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

  /** Workloads one peer covers. A CIDR covers a workload when it holds every known pod IP. */
  peer(spec: PeerSpec): Bitset {
    let set = this.peerCache.get(spec);
    if (set) return set;
    switch (spec.kind) {
      case 'pods':
        set = this.pods(spec);
        break;
      case 'cidr': {
        const key = `${spec.pods}|${spec.block.key}`;
        set = this.contentCache.get(key);
        if (!set) {
          set = new Bitset(this.cluster.workloads.length);
          if (spec.pods) {
            // Without known pod IPs only a block of every address (0.0.0.0/0, ::/0) surely holds them.
            const everything = isUniversal(spec.block);
            for (const w of this.cluster.workloads) {
              const covered = w.addresses.length === 0 ? everything : w.addresses.every((a) => inBlock(spec.block, a));
              if (covered) set.add(w.index);
            }
          }
          this.contentCache.set(key, set);
        }
        break;
      }
      case 'entity':
        set = spec.entity === 'world' ? this.none : this.all;
        break;
      default: {
        const never: never = spec;
        return never;
      }
    }
    this.peerCache.set(spec, set);
    return set;
  }

  /** Union of a rule's peers over workloads. */
  rulePeers(rule: Rule): Bitset {
    const peers = rule.peers;
    let set = this.peerCache.get(peers);
    if (!set) {
      if (peers === 'all') set = this.all;
      else if (peers.length === 1) set = this.peer(peers[0]!);
      else {
        set = new Bitset(this.cluster.workloads.length);
        for (const p of peers) set.or(this.peer(p));
      }
      this.peerCache.set(peers, set);
    }
    return set;
  }

  /** Whether one peer covers a remote end (a workload, one of its pods' IPs, or an outside address). */
  peerCovers(spec: PeerSpec, remote: Remote): boolean {
    if (remote.workload) {
      // A specific pod IP is judged on its own; otherwise every pod of the workload must match.
      if (spec.kind === 'cidr' && remote.address) return spec.pods && inBlock(spec.block, remote.address);
      return this.peer(spec).has(remote.workload.index);
    }
    switch (spec.kind) {
      case 'pods':
        return false;
      case 'cidr':
        return remote.address !== undefined && inBlock(spec.block, remote.address);
      case 'entity':
        return spec.entity !== 'cluster';
      default: {
        const never: never = spec;
        return never;
      }
    }
  }

  /** Whether a rule's peers cover a remote end. */
  ruleCovers(rule: Rule, remote: Remote): boolean {
    if (rule.peers === 'all') return true;
    if (remote.workload && !remote.address) return this.rulePeers(rule).has(remote.workload.index);
    return rule.peers.some((p) => this.peerCovers(p, remote));
  }
}
