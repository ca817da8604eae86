// Decisions of workload-pair cells at matrix speed: the verdict from the bitset matrix, the explanation
// worked out once per class of remotes that the subject's rules cannot tell apart.
import { type Attachments, attachedRules, type Direction, type DirectionAttachments } from './attach.ts';
import { Bitset } from './bitset.ts';
import type { Workload } from './cluster.ts';
import { decideDirection } from './direction.ts';
import type { Matrix } from './matrix.ts';
import type { MeshLayer } from './mesh.ts';
import { portMatches, usesNames } from './ports.ts';
import type { Coverage, PeerSets } from './sets.ts';
import type { Rule } from './spec.ts';
import type { Decision, DirectionDecision, MeshDecision, PeerInfo } from './types.ts';

/**
 * Stands for the remote's name while a class is explained, then is replaced by each cell's own name.
 * Kubernetes names never hold a NUL, so no other text can contain it.
 */
const REMOTE = '\u0000';

/** A class's decision, and its explanation cut where the remote's name goes (undefined: none goes in). */
interface Explained {
  readonly decision: DirectionDecision;
  readonly parts: readonly string[] | undefined;
}

/** One subject's rules in one direction, and the decisions of the remote classes met so far. */
interface Subject {
  readonly att: DirectionAttachments;
  /** Per rule, the remotes it surely or maybe covers on this port (the port test folded in). */
  readonly coverage: readonly Coverage[];
  readonly classes: Map<number | string, Explained>;
}

/**
 * Cells of one port's matrix as explained decisions, equal to the explaining engine's (`decide`) for
 * workload pairs: a direction's decision depends on the remote only through which of the subject's
 * rules match it (surely, maybe, not) and through its name in the text, so it is computed once per
 * (subject, match vector) and the name put in per cell. The computed verdict is the matrix's.
 */
export class CellDecisions {
  private readonly sets: PeerSets;
  private readonly att: Attachments;
  private readonly mesh: MeshLayer;
  private readonly matrix: Matrix;
  // Arrays by workload index: looked up twice or more per cell.
  private readonly subjects: Record<Direction, (Subject | undefined)[]> = { egress: [], ingress: [] };
  /** Mesh decisions that do not depend on the source (no sidecar, or not TCP), per destination. */
  private readonly meshFixed: (MeshDecision | undefined)[] = [];
  private readonly infos: (PeerInfo | undefined)[] = [];
  private readonly egress = new Map<Rule, Coverage>();
  private readonly nothing: Coverage;

  constructor(sets: PeerSets, att: Attachments, mesh: MeshLayer, matrix: Matrix) {
    this.sets = sets;
    this.att = att;
    this.mesh = mesh;
    this.matrix = matrix;
    this.nothing = { yes: sets.none, maybe: sets.none };
  }

  /** The destinations an egress rule covers on this port; the same for every subject it is attached to. */
  private egressCoverage(rule: Rule): Coverage {
    let cov = this.egress.get(rule);
    if (cov) return cov;
    const { port, protocol } = this.matrix;
    const peers = this.sets.ruleSets(rule);
    if (!usesNames(rule.ports)) cov = portMatches(rule.ports, port, protocol, undefined) ? peers : this.nothing;
    else {
      const ok = new Bitset(this.sets.all.size);
      for (const d of this.sets.cluster.workloads)
        if (portMatches(rule.ports, port, protocol, d.ports)) ok.add(d.index);
      cov = { yes: peers.yes.clone().and(ok), maybe: peers.maybe.clone().and(ok) };
    }
    this.egress.set(rule, cov);
    return cov;
  }

  private subject(direction: Direction, w: Workload): Subject {
    let s = this.subjects[direction][w.index];
    if (s) return s;
    const { port, protocol } = this.matrix;
    const att = this.att[direction][w.index]!;
    const coverage = attachedRules(att).map((rule): Coverage => {
      // Ingress: the ports are the subject's own. Egress: each destination's (named ports differ).
      if (direction === 'egress') return this.egressCoverage(rule);
      return portMatches(rule.ports, port, protocol, w.ports) ? this.sets.ruleSets(rule) : this.nothing;
    });
    s = { att, coverage, classes: new Map() };
    this.subjects[direction][w.index] = s;
    return s;
  }

  private direction(direction: Direction, subject: Workload, remote: Workload): DirectionDecision {
    const s = this.subject(direction, subject);
    // The match vector as a base-3 number (exact up to 33 rules), else as text.
    let key: number | string = 0;
    const cov = s.coverage;
    const i = remote.index;
    if (cov.length <= 33) {
      for (let r = 0; r < cov.length; r++) key = key * 3 + (cov[r]!.yes.has(i) ? 2 : cov[r]!.maybe.has(i) ? 1 : 0);
    } else {
      key = '';
      for (const c of cov) key += c.yes.has(i) ? 'y' : c.maybe.has(i) ? 'm' : 'n';
    }
    let e = s.classes.get(key);
    if (!e) {
      const decision = decideDirection(this.sets, direction, s.att, {
        subject,
        remote: { workload: remote },
        remoteText: REMOTE,
        dstPorts: (direction === 'egress' ? remote : subject).ports,
        port: this.matrix.port,
        protocol: this.matrix.protocol,
      });
      const parts = decision.explanation.includes(REMOTE) ? decision.explanation.split(REMOTE) : undefined;
      e = { decision, parts };
      s.classes.set(key, e);
    }
    const { decision: d, parts } = e;
    if (!parts) return d;
    return {
      direction: d.direction,
      verdict: d.verdict,
      decidedBy: d.decidedBy,
      isolatedBy: d.isolatedBy,
      rules: d.rules,
      passedBy: d.passedBy,
      // Two parts is the common case: concatenation makes no copy of the text.
      explanation: parts.length === 2 ? parts[0]! + remote.id + parts[1]! : parts.join(remote.id),
    };
  }

  private meshDecision(src: Workload, dst: Workload): MeshDecision {
    const { port, protocol } = this.matrix;
    if (dst.mesh && protocol === 'TCP') return this.mesh.decide(dst, { workload: src }, src.id, port, protocol);
    let d = this.meshFixed[dst.index];
    if (!d) {
      d = this.mesh.decide(dst, { workload: src }, src.id, port, protocol);
      this.meshFixed[dst.index] = d;
    }
    return d;
  }

  private info(w: Workload): PeerInfo {
    let i = this.infos[w.index];
    if (!i) {
      i = { kind: 'workload', id: w.id, namespace: w.namespace, name: w.name };
      this.infos[w.index] = i;
    }
    return i;
  }

  /** The decision of the cell from `src` to `dst`, as `decide` gives it. */
  decide(src: Workload, dst: Workload): Decision {
    const { port, protocol } = this.matrix;
    const computed = this.matrix.computed(src.index, dst.index);
    const egress = this.direction('egress', src, dst);
    const ingress = this.direction('ingress', dst, src);
    const mesh = this.meshDecision(src, dst);
    const deniedAt =
      computed !== 'deny'
        ? undefined
        : egress.verdict === 'deny'
          ? 'egress'
          : ingress.verdict === 'deny'
            ? 'ingress'
            : 'mesh';
    const loopback = src === dst;
    const explanation = [
      egress.explanation,
      ingress.explanation,
      ...(mesh.enforced || mesh.policies.length > 0 ? [mesh.explanation] : []),
      loopback
        ? `loopback: ${src.id} to itself is outside NetworkPolicy semantics (CNIs differ); policies say ${computed}`
        : `${computed}${deniedAt ? ` (denied at ${deniedAt})` : ''}: ${src.id} → ${dst.id} on ${port}/${protocol}`,
    ];
    const from = this.info(src);
    const to = this.info(dst);
    const verdict = loopback ? 'loopback' : computed;
    // Object literals rather than spreads: this runs once per cell of matrices of millions.
    return deniedAt
      ? { from, to, port, protocol, verdict, computed, deniedAt, egress, ingress, mesh, explanation }
      : { from, to, port, protocol, verdict, computed, egress, ingress, mesh, explanation };
  }
}
