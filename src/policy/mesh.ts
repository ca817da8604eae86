// The Istio layer at the destination's sidecar: PeerAuthentication mTLS, then DENY, then ALLOW policies.
import type { Attachments } from './attach.ts';
import { Bitset } from './bitset.ts';
import { type Address, inBlock } from './cidr.ts';
import type { Workload } from './cluster.ts';
import type { Match, PeerSets, Remote, SideSets } from './sets.ts';
import type { AuthzPolicy, AuthzRule, AuthzSource, MtlsMode, Pattern } from './spec.ts';
import type { MeshDecision, Protocol } from './types.ts';

/** Who the sidecar sees: an mTLS identity (namespace, service account) or none, and addresses. */
interface SourceView {
  readonly identity: { readonly namespace: string; readonly serviceAccount: string } | null;
  readonly addresses: readonly Address[];
  /** False when some of the source's pod IPs are unknown: IP blocks then cannot be decided. */
  readonly complete: boolean;
}

const and = (a: Match, b: Match): Match =>
  a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes';
const not = (m: Match): Match => (m === 'yes' ? 'no' : m === 'no' ? 'yes' : 'maybe');

function patternMatches(pattern: Pattern, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function anyMatch(patterns: readonly Pattern[], value: string | undefined): boolean {
  return value !== undefined && patterns.some((p) => patternMatches(p, value));
}

/** Whether every address of the source lies in one of the blocks; `maybe` when its IPs are not all known. */
function inBlocks(blocks: NonNullable<AuthzSource['ipBlocks']>, view: SourceView): Match {
  const inside = view.addresses.filter((a) => blocks.some((b) => inBlock(b, a))).length;
  if (!view.complete) return 'maybe';
  return inside === view.addresses.length ? 'yes' : inside === 0 ? 'no' : 'maybe';
}

/**
 * One `from.source`: every present field must hold. Identity fields need mTLS: without an
 * identity the positive ones fail and the negated ones hold (as in Envoy's RBAC filter).
 */
function sourceMatches(source: AuthzSource, view: SourceView, trustDomain: string): Match {
  const principal = view.identity
    ? `${trustDomain}/ns/${view.identity.namespace}/sa/${view.identity.serviceAccount}`
    : undefined;
  const namespace = view.identity?.namespace;
  if (source.principals && !anyMatch(source.principals, principal)) return 'no';
  if (source.notPrincipals && anyMatch(source.notPrincipals, principal)) return 'no';
  if (source.namespaces && !anyMatch(source.namespaces, namespace)) return 'no';
  if (source.notNamespaces && anyMatch(source.notNamespaces, namespace)) return 'no';
  let m: Match = 'yes';
  if (source.ipBlocks) m = and(m, inBlocks(source.ipBlocks, view));
  if (source.notIpBlocks) m = and(m, not(inBlocks(source.notIpBlocks, view)));
  return m;
}

function operationMatches(rule: AuthzRule, port: number): boolean {
  if (rule.to === 'any') return true;
  return rule.to.some((op) => (!op.ports || op.ports.includes(port)) && !op.notPorts?.includes(port));
}

/** The Istio layer for one model: decisions with explanations, and matrix columns. */
export class MeshLayer {
  private readonly sets: PeerSets;
  private readonly att: Attachments;
  private readonly trustDomain: string;
  private readonly meshSet: Bitset;
  private readonly sourceCache = new Map<AuthzRule, Map<boolean, { yes: Bitset; maybe: Bitset }>>();

  constructor(sets: PeerSets, att: Attachments, trustDomain: string) {
    this.sets = sets;
    this.att = att;
    this.trustDomain = trustDomain;
    this.meshSet = new Bitset(sets.cluster.workloads.length);
    for (const w of sets.cluster.workloads) if (w.mesh) this.meshSet.add(w.index);
  }

  private view(remote: Remote, mode: MtlsMode): SourceView {
    const w = remote.workload;
    const identity =
      w?.mesh && mode !== 'DISABLE' ? { namespace: w.namespace, serviceAccount: w.serviceAccount } : null;
    if (remote.address) return { identity, addresses: [remote.address], complete: true };
    return { identity, addresses: w?.addresses ?? [], complete: w?.ipsKnown ?? false };
  }

  private ruleMatches(rule: AuthzRule, view: SourceView, port: number): Match {
    if (!operationMatches(rule, port)) return 'no';
    if (rule.from === 'any') return 'yes';
    let m: Match = 'no';
    for (const s of rule.from) {
      const one = sourceMatches(s, view, this.trustDomain);
      if (one === 'yes') return 'yes';
      if (one === 'maybe') m = 'maybe';
    }
    return m;
  }

  /** Rules of the policies that surely match, and those that may match (IPs unknown). */
  private matching(
    policies: readonly AuthzPolicy[],
    view: SourceView,
    port: number,
  ): { yes: string[]; maybe: string[] } {
    const out = { yes: [] as string[], maybe: [] as string[] };
    for (const p of policies) {
      for (const r of p.rules) {
        const m = this.ruleMatches(r, view, port);
        if (m !== 'no') out[m].push(r.ref);
      }
    }
    return out;
  }

  /** Decides the mesh layer for traffic from `remote` to `dst`. */
  decide(dst: Workload, remote: Remote, remoteText: string, port: number, protocol: Protocol): MeshDecision {
    const { mode, ref: modeRef } = this.att.mtls(dst, port);
    const head = `mesh at ${dst.id}`;
    const attached = this.att.mesh[dst.index]!;
    const policies = [...attached.deny, ...attached.allow].map((p) => p.ref);
    if (!dst.mesh || protocol !== 'TCP') {
      const why = !dst.mesh ? 'has no sidecar' : `${protocol} bypasses the sidecar`;
      return {
        verdict: 'allow',
        enforced: false,
        mtls: mode,
        policies,
        rules: [],
        explanation: `${head}: not enforced (${why})${policies.length > 0 ? `; ${policies.join(', ')} not applied` : ''}`,
      };
    }
    const view = this.view(remote, mode);
    if (mode === 'STRICT' && !view.identity) {
      const by = modeRef ?? 'mesh default';
      return {
        verdict: 'deny',
        enforced: true,
        mtls: mode,
        policies,
        rules: modeRef ? [modeRef] : [],
        explanation: `${head}: ${by} requires mTLS and ${remoteText} has no sidecar: denied`,
      };
    }
    const denied = this.matching(attached.deny, view, port);
    const base = { enforced: true, mtls: mode, policies } as const;
    if (denied.yes.length > 0)
      return {
        ...base,
        verdict: 'deny',
        rules: [denied.yes[0]!],
        explanation: `${head}: denied by ${denied.yes[0]} (DENY)`,
      };
    const allowed = attached.allow.length > 0 ? this.matching(attached.allow, view, port) : undefined;
    if (allowed && allowed.yes.length === 0 && allowed.maybe.length === 0) {
      const names = attached.allow.map((p) => p.ref).join(', ');
      const why = `${names} apply and no ALLOW rule matches ${remoteText}${view.identity ? '' : ' (no mTLS identity)'} on ${port}: denied`;
      return { ...base, verdict: 'deny', rules: [], explanation: `${head}: ${why}` };
    }
    // Undecidable: a DENY rule, or the only ALLOW rules, match by IP blocks and the source's IPs are unknown.
    const open = [...denied.maybe, ...(allowed && allowed.yes.length === 0 ? allowed.maybe : [])];
    if (open.length > 0) {
      const why = `whether ${open.join(', ')} match ${remoteText} depends on pod IPs the manifests do not give (pods with status.podIPs decide it)`;
      return { ...base, verdict: 'unknown', rules: open, explanation: `${head}: unknown: ${why}` };
    }
    if (!allowed)
      return { ...base, verdict: 'allow', rules: [], explanation: `${head}: no ALLOW policy applies: allowed` };
    return {
      ...base,
      verdict: 'allow',
      rules: [allowed.yes[0]!],
      explanation: `${head}: allowed by ${allowed.yes[0]} (ALLOW)`,
    };
  }

  /** Sources whose identity/addresses a rule's `from` surely covers, and those it may cover, for one mTLS situation. */
  private ruleSources(rule: AuthzRule, disabled: boolean): { yes: Bitset; maybe: Bitset } {
    if (rule.from === 'any') return { yes: this.sets.all, maybe: this.sets.none };
    let byMode = this.sourceCache.get(rule);
    if (!byMode) {
      byMode = new Map();
      this.sourceCache.set(rule, byMode);
    }
    let sets = byMode.get(disabled);
    if (!sets) {
      sets = { yes: new Bitset(this.sets.all.size), maybe: new Bitset(this.sets.all.size) };
      // Ports are checked by the caller; here only who the source is matters.
      const fromOnly: AuthzRule = { ...rule, to: 'any' };
      for (const w of this.sets.cluster.workloads) {
        const m = this.ruleMatches(fromOnly, this.view({ workload: w }, disabled ? 'DISABLE' : 'PERMISSIVE'), 0);
        if (m !== 'no') sets[m].add(w.index);
      }
      byMode.set(disabled, sets);
    }
    return sets;
  }

  private policiesSources(
    policies: readonly AuthzPolicy[],
    port: number,
    disabled: boolean,
  ): { yes: Bitset; maybe: Bitset } {
    const yes = new Bitset(this.sets.all.size);
    const maybe = new Bitset(this.sets.all.size);
    for (const p of policies) {
      for (const r of p.rules) {
        if (!operationMatches(r, port)) continue;
        const one = this.ruleSources(r, disabled);
        yes.or(one.yes);
        maybe.or(one.maybe);
      }
    }
    return { yes, maybe: maybe.andNot(yes) };
  }

  /** Workloads the mesh layer may let reach `dst`, and may refuse (both: unknown), on port/protocol. */
  sourceSides(dst: Workload, port: number, protocol: Protocol): SideSets {
    const { all, none } = this.sets;
    if (!dst.mesh || protocol !== 'TCP') return { allow: all, deny: none };
    const attached = this.att.mesh[dst.index]!;
    const { mode } = this.att.mtls(dst, port);
    if (attached.allow.length === 0 && attached.deny.length === 0 && mode !== 'STRICT')
      return { allow: all, deny: none };
    const disabled = mode === 'DISABLE';
    // STRICT refuses sources without a sidecar before any policy is read.
    const refused = mode === 'STRICT' ? all.clone().andNot(this.meshSet) : new Bitset(all.size);
    const allow = all.clone().andNot(refused);
    const deny = refused.clone();
    if (attached.deny.length > 0) {
      const d = this.policiesSources(attached.deny, port, disabled);
      allow.andNot(d.yes);
      deny.or(d.yes).or(d.maybe);
    }
    if (attached.allow.length > 0) {
      const a = this.policiesSources(attached.allow, port, disabled);
      allow.and(a.yes.clone().or(a.maybe));
      deny.or(all.clone().andNot(a.yes));
    }
    return { allow, deny };
  }
}
