// The workload × workload matrix for one port/protocol, computed with bit sets (no per-cell walks).
import { type Attachments, type Direction, ruleGroups } from './attach.ts';
import { transposed } from './bit-rows.ts';
import { Bitset, bitCount } from './bitset.ts';
import type { Workload } from './cluster.ts';
import type { MeshLayer } from './mesh.ts';
import { portMatches, usesNames } from './ports.ts';
import type { Coverage, PeerSets, SideSets } from './sets.ts';
import type { Rule } from './spec.ts';
import type { Computed, Protocol } from './types.ts';

/** Verdicts of every workload pair for one destination port and protocol. */
export interface Matrix {
  readonly port: number;
  readonly protocol: Protocol;
  /** Rows and columns, in model order. */
  readonly workloads: readonly Workload[];
  /** `loopback` on the diagonal (a workload to itself); `unknown` where pod IPs would decide. */
  verdict(from: number, to: number): Computed | 'loopback';
  /** What the policies say, also on the diagonal. */
  computed(from: number, to: number): Computed;
  /**
   * Where a denied cell is denied, as the explaining engine says it (the first side that surely denies:
   * egress, then ingress, then the mesh); undefined for a cell that is not denied.
   */
  deniedAt(from: number, to: number): 'egress' | 'ingress' | 'mesh' | undefined;
  /** True when some other workload's cell to `to` is allowed or unknown. */
  reachedByOthers(to: number): boolean;
  /** Number of allowed cells off the diagonal. */
  readonly allowed: number;
  /** Number of unknown cells off the diagonal. */
  readonly unknown: number;
}

/** A fresh set of the remotes a rule surely or maybe covers. */
function withMaybe(cov: Coverage): Bitset {
  const hit = cov.yes.clone();
  return cov.maybe.isEmpty() ? hit : hit.or(cov.maybe);
}

/** Computes per-subject allowed sets, caching per-rule sets for one port/protocol. */
class DirectionSets {
  private readonly sets: PeerSets;
  private readonly port: number;
  private readonly protocol: Protocol;
  private readonly egressCache = new Map<Rule, Coverage>();
  private readonly nothing: Coverage;

  constructor(sets: PeerSets, port: number, protocol: Protocol) {
    this.sets = sets;
    this.port = port;
    this.protocol = protocol;
    this.nothing = { yes: sets.none, maybe: sets.none };
  }

  /** Remote workloads a rule covers when `subject` is the source (egress) or destination (ingress). */
  private ruleSets(rule: Rule, direction: Direction, subject: Workload): Coverage {
    const { sets, port, protocol } = this;
    if (direction === 'ingress') {
      // Ports are the subject's own (it is the destination).
      return portMatches(rule.ports, port, protocol, subject.ports) ? sets.ruleSets(rule) : this.nothing;
    }
    let cov = this.egressCache.get(rule);
    if (!cov) {
      const peers = sets.ruleSets(rule);
      if (!usesNames(rule.ports)) {
        cov = portMatches(rule.ports, port, protocol, undefined) ? peers : this.nothing;
      } else {
        // Named ports resolve on each destination's own container ports.
        const ok = new Bitset(sets.all.size);
        for (const w of sets.cluster.workloads) if (portMatches(rule.ports, port, protocol, w.ports)) ok.add(w.index);
        cov = { yes: peers.yes.clone().and(ok), maybe: peers.maybe.clone().and(ok) };
      }
      this.egressCache.set(rule, cov);
    }
    return cov;
  }

  /**
   * One tier's walk (admin or baseline), over sets of remotes at once: each rule takes the remotes that
   * still reach it and may match (`take`), and the remotes it surely matches go no further. Tied policies
   * each see the same remotes; a remote any of them surely matches leaves `reach` after the group.
   */
  #walkTier(
    rules: readonly Rule[],
    reach: Bitset,
    direction: Direction,
    subject: Workload,
    take: (rule: Rule, hit: Bitset) => void,
  ): void {
    for (const group of ruleGroups(rules)) {
      const tiedGroup = group.policies.length > 1;
      const start = tiedGroup ? reach.clone() : reach;
      const matched = tiedGroup ? new Bitset(reach.size) : undefined;
      for (const policyRules of group.policies) {
        const left = matched ? start.clone() : reach;
        for (const rule of policyRules) {
          const cov = this.ruleSets(rule, direction, subject);
          const hit = withMaybe(cov).and(left);
          if (!hit.isEmpty()) take(rule, hit);
          matched?.or(cov.yes.clone().and(left));
          left.andNot(cov.yes);
        }
      }
      if (matched) reach.andNot(matched);
    }
  }

  /** Same tier walk as decideDirection, over sets of remote workloads at once. */
  sides(direction: Direction, att: Attachments, subject: Workload): SideSets {
    const a = att[direction][subject.index]!;
    const { all, none } = this.sets;
    if (a.admin.length === 0 && a.network.length === 0 && a.baseline.length === 0) return { allow: all, deny: none };
    const allow = new Bitset(all.size);
    const deny = new Bitset(all.size);
    // Remotes that may still reach the current rule (no earlier rule surely matched them).
    const reach = all.clone();
    const passed = new Bitset(all.size);
    this.#walkTier(a.admin, reach, direction, subject, (rule, hit) =>
      (rule.action === 'allow' ? allow : rule.action === 'deny' ? deny : passed).or(hit),
    );
    const toNetwork = reach.or(passed);
    const denyYes = new Bitset(all.size);
    const permitYes = new Bitset(all.size);
    // Most clusters have no undecidable rule: the "maybe" sets are then never allocated.
    let denyMaybe: Bitset | undefined;
    let permitMaybe: Bitset | undefined;
    let isolated = false;
    for (const { section } of a.network) {
      isolated ||= section.isolates;
      for (const rule of section.rules) {
        const cov = this.ruleSets(rule, direction, subject);
        (rule.action === 'deny' ? denyYes : permitYes).or(cov.yes);
        if (cov.maybe === none) continue;
        if (rule.action === 'deny') {
          denyMaybe ??= new Bitset(all.size);
          denyMaybe.or(cov.maybe);
        } else {
          permitMaybe ??= new Bitset(all.size);
          permitMaybe.or(cov.maybe);
        }
      }
    }
    deny.or(toNetwork.clone().and(denyMaybe ? denyMaybe.or(denyYes) : denyYes));
    const undenied = toNetwork.andNot(denyYes);
    if (isolated) {
      allow.or(undenied.clone().and(permitMaybe ? permitMaybe.or(permitYes) : permitYes));
      return { allow, deny: deny.or(undenied.andNot(permitYes)) };
    }
    // A baseline Pass goes to the default (allowed), like an Allow; it stops the tier walk all the same.
    this.#walkTier(a.baseline, undenied, direction, subject, (rule, hit) =>
      (rule.action === 'deny' ? deny : allow).or(hit),
    );
    return { allow: allow.or(undenied), deny };
  }
}

/**
 * Builds the matrix: cell (s, d) is allowed when egress of s, ingress of d and the mesh at d all
 * surely allow, denied when one surely denies, and unknown otherwise. Row s is computed a word (32
 * destinations) at a time, from s's egress sets and row s of the transposed ingress sets.
 */
export function computeMatrix(
  sets: PeerSets,
  att: Attachments,
  mesh: MeshLayer,
  port: number,
  protocol: Protocol,
): Matrix {
  const workloads = sets.cluster.workloads;
  const n = workloads.length;
  const ds = new DirectionSets(sets, port, protocol);
  const egress = workloads.map((w) => ds.sides('egress', att, w));
  // Each destination's ingress and mesh sides, kept apart for deniedAt, and combined for the cells.
  const network = workloads.map((w) => ds.sides('ingress', att, w));
  const meshSides = workloads.map((w) => mesh.sourceSides(w, port, protocol));
  const ingress = network.map((side, d) => ({
    allow: side.allow.clone().and(meshSides[d]!.allow),
    deny: side.deny.clone().or(meshSides[d]!.deny),
  }));
  // Row s of these: the destinations whose ingress (and mesh) may allow, or may deny, source s.
  const { words: inAllow, stride } = transposed(ingress.map((side) => side.allow));
  const inDeny = transposed(ingress.map((side) => side.deny)).words;
  const allowWords = new Uint32Array(n * stride);
  const unknownWords = new Uint32Array(n * stride);
  // Destinations some other workload may reach (allowed or unknown).
  const reached = new Bitset(n);
  let allowedCount = 0;
  let unknownCount = 0;
  for (let s = 0; s < n; s++) {
    const out = egress[s]!;
    const row = s * stride;
    const own = s >>> 5;
    for (let w = 0; w < stride; w++) {
      const mayAllow = out.allow.words[w]! & inAllow[row + w]!;
      if (mayAllow === 0) continue;
      const mayDeny = out.deny.words[w]! | inDeny[row + w]!;
      allowWords[row + w] = mayAllow & ~mayDeny;
      unknownWords[row + w] = mayAllow & mayDeny;
      // The diagonal (a workload to itself) is kept in the cells but counted and reached by nobody.
      const others = w === own ? mayAllow & ~(1 << (s & 31)) : mayAllow;
      reached.words[w]! |= others;
      allowedCount += bitCount(others & ~mayDeny);
      unknownCount += bitCount(others & mayDeny);
    }
  }
  // Only what deniedAt reads is kept past the loop: who each side may let through.
  const egressAllow = egress.map((side) => side.allow);
  const ingressAllow = network.map((side) => side.allow);
  const computed = (from: number, to: number): Computed => {
    const index = from * stride + (to >>> 5);
    const bit = 1 << (to & 31);
    return (allowWords[index]! & bit) !== 0 ? 'allow' : (unknownWords[index]! & bit) !== 0 ? 'unknown' : 'deny';
  };
  return {
    port,
    protocol,
    workloads,
    verdict: (from, to) => (from === to ? 'loopback' : computed(from, to)),
    computed,
    deniedAt: (from, to) => {
      if (computed(from, to) !== 'deny') return undefined;
      if (!egressAllow[from]!.has(to)) return 'egress';
      return ingressAllow[to]!.has(from) ? 'mesh' : 'ingress';
    },
    reachedByOthers: (to) => reached.has(to),
    allowed: allowedCount,
    unknown: unknownCount,
  };
}
