// The workload × workload matrix for one port/protocol, computed with bit sets (no per-cell walks).
import type { Attachments, Direction } from './attach.ts';
import { Bitset } from './bitset.ts';
import type { Workload } from './cluster.ts';
import type { MeshLayer } from './mesh.ts';
import { portMatches, usesNames } from './ports.ts';
import type { PeerSets } from './sets.ts';
import type { Rule } from './spec.ts';
import type { Protocol, Verdict } from './types.ts';

/** Verdicts of every workload pair for one destination port and protocol. */
export interface Matrix {
  readonly port: number;
  readonly protocol: Protocol;
  /** Rows and columns, in model order. */
  readonly workloads: readonly Workload[];
  /** `loopback` on the diagonal (a workload to itself). */
  verdict(from: number, to: number): Verdict | 'loopback';
  /** What the policies say, also on the diagonal. */
  computed(from: number, to: number): Verdict;
  /** Number of allowed cells off the diagonal. */
  readonly allowed: number;
}

/** Computes per-subject allowed sets, caching per-rule sets for one port/protocol. */
class DirectionSets {
  private readonly sets: PeerSets;
  private readonly port: number;
  private readonly protocol: Protocol;
  private readonly egressCache = new Map<Rule, Bitset>();

  constructor(sets: PeerSets, port: number, protocol: Protocol) {
    this.sets = sets;
    this.port = port;
    this.protocol = protocol;
  }

  /** Remote workloads a rule covers when `subject` is the source (egress) or destination (ingress). */
  private ruleSet(rule: Rule, direction: Direction, subject: Workload): Bitset {
    const { sets, port, protocol } = this;
    if (direction === 'ingress') {
      // Ports are the subject's own (it is the destination).
      return portMatches(rule.ports, port, protocol, subject.ports) ? sets.rulePeers(rule) : sets.none;
    }
    let set = this.egressCache.get(rule);
    if (!set) {
      const peers = sets.rulePeers(rule);
      if (!usesNames(rule.ports)) {
        set = portMatches(rule.ports, port, protocol, undefined) ? peers : sets.none;
      } else {
        // Named ports resolve on each destination's own container ports.
        set = new Bitset(peers.size);
        for (const i of peers) if (portMatches(rule.ports, port, protocol, sets.cluster.workloads[i]!.ports)) set.add(i);
      }
      this.egressCache.set(rule, set);
    }
    return set;
  }

  /** Same tier walk as decideDirection, over sets of remote workloads at once. */
  allowed(direction: Direction, att: Attachments, subject: Workload): Bitset {
    const a = att[direction][subject.index]!;
    if (a.admin.length === 0 && a.network.length === 0 && a.baseline.length === 0) return this.sets.all;
    const allowed = new Bitset(this.sets.all.size);
    const undecided = this.sets.all.clone();
    const passed = new Bitset(this.sets.all.size);
    for (const rule of a.admin) {
      const hit = this.ruleSet(rule, direction, subject).clone().and(undecided);
      if (hit.isEmpty()) continue;
      if (rule.action === 'allow') allowed.or(hit);
      else if (rule.action === 'pass') passed.or(hit);
      undecided.andNot(hit);
    }
    const toNetwork = undecided.or(passed);
    const denied = new Bitset(this.sets.all.size);
    const permitted = new Bitset(this.sets.all.size);
    let isolated = false;
    for (const { section } of a.network) {
      isolated ||= section.isolates;
      for (const rule of section.rules) (rule.action === 'deny' ? denied : permitted).or(this.ruleSet(rule, direction, subject));
    }
    toNetwork.andNot(denied);
    if (isolated) return allowed.or(toNetwork.and(permitted));
    const toBaseline = toNetwork;
    for (const rule of a.baseline) {
      const hit = this.ruleSet(rule, direction, subject).clone().and(toBaseline);
      if (rule.action === 'allow') allowed.or(hit);
      toBaseline.andNot(hit);
    }
    return allowed.or(toBaseline);
  }
}

/** Builds the matrix: cell (s, d) = egress of s allows d ∧ ingress of d allows s ∧ mesh at d allows s. */
export function computeMatrix(sets: PeerSets, att: Attachments, mesh: MeshLayer, port: number, protocol: Protocol): Matrix {
  const workloads = sets.cluster.workloads;
  const n = workloads.length;
  const ds = new DirectionSets(sets, port, protocol);
  const egress = workloads.map((w) => ds.allowed('egress', att, w));
  const ingress = workloads.map((w) => ds.allowed('ingress', att, w).clone().and(mesh.allowedSources(w, port, protocol)));
  const cells = new Uint8Array(n * n);
  let allowedCount = 0;
  for (let s = 0; s < n; s++) {
    const out = egress[s]!;
    for (let d = 0; d < n; d++) {
      if (out.has(d) && ingress[d]!.has(s)) {
        cells[s * n + d] = 1;
        if (s !== d) allowedCount++;
      }
    }
  }
  return {
    port,
    protocol,
    workloads,
    verdict: (from, to) => (from === to ? 'loopback' : cells[from * n + to] === 1 ? 'allow' : 'deny'),
    computed: (from, to) => (cells[from * n + to] === 1 ? 'allow' : 'deny'),
    allowed: allowedCount,
  };
}
