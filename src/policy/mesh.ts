// The Istio layer at the destination's sidecar: PeerAuthentication mTLS, then DENY, then ALLOW policies.
import type { Attachments } from './attach.ts';
import { Bitset } from './bitset.ts';
import { inBlock, type Address } from './cidr.ts';
import type { Workload } from './cluster.ts';
import type { PeerSets, Remote } from './sets.ts';
import type { AuthzPolicy, AuthzRule, AuthzSource, MtlsMode, Pattern } from './spec.ts';
import type { MeshDecision, Protocol } from './types.ts';

/** Who the sidecar sees: an mTLS identity (namespace, service account) or none, and addresses. */
interface SourceView {
  readonly identity: { readonly namespace: string; readonly serviceAccount: string } | null;
  readonly addresses: readonly Address[];
}

function patternMatches(pattern: Pattern, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function anyMatch(patterns: readonly Pattern[], value: string | undefined): boolean {
  return value !== undefined && patterns.some((p) => patternMatches(p, value));
}

/**
 * One `from.source`: every present field must hold. Identity fields need mTLS: without an
 * identity the positive ones fail and the negated ones hold (as in Envoy's RBAC filter).
 */
function sourceMatches(source: AuthzSource, view: SourceView, trustDomain: string): boolean {
  const principal = view.identity ? `${trustDomain}/ns/${view.identity.namespace}/sa/${view.identity.serviceAccount}` : undefined;
  const namespace = view.identity?.namespace;
  const inAny = (blocks: AuthzSource['ipBlocks']) =>
    blocks !== undefined && view.addresses.length > 0 && view.addresses.every((a) => blocks.some((b) => inBlock(b, a)));
  if (source.principals && !anyMatch(source.principals, principal)) return false;
  if (source.notPrincipals && anyMatch(source.notPrincipals, principal)) return false;
  if (source.namespaces && !anyMatch(source.namespaces, namespace)) return false;
  if (source.notNamespaces && anyMatch(source.notNamespaces, namespace)) return false;
  if (source.ipBlocks && !inAny(source.ipBlocks)) return false;
  if (source.notIpBlocks && inAny(source.notIpBlocks)) return false;
  return true;
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
  private readonly sourceCache = new Map<AuthzRule, Map<boolean, Bitset>>();

  constructor(sets: PeerSets, att: Attachments, trustDomain: string) {
    this.sets = sets;
    this.att = att;
    this.trustDomain = trustDomain;
    this.meshSet = new Bitset(sets.cluster.workloads.length);
    for (const w of sets.cluster.workloads) if (w.mesh) this.meshSet.add(w.index);
  }

  private view(remote: Remote, mode: MtlsMode): SourceView {
    const w = remote.workload;
    const identity = w && w.mesh && mode !== 'DISABLE' ? { namespace: w.namespace, serviceAccount: w.serviceAccount } : null;
    const addresses = remote.address ? [remote.address] : (w?.addresses ?? []);
    return { identity, addresses };
  }

  private ruleMatches(rule: AuthzRule, view: SourceView, port: number): boolean {
    if (!operationMatches(rule, port)) return false;
    return rule.from === 'any' || rule.from.some((s) => sourceMatches(s, view, this.trustDomain));
  }

  private firstMatch(policies: readonly AuthzPolicy[], view: SourceView, port: number): string | undefined {
    for (const p of policies) for (const r of p.rules) if (this.ruleMatches(r, view, port)) return r.ref;
    return undefined;
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
      return { verdict: 'deny', enforced: true, mtls: mode, policies, rules: modeRef ? [modeRef] : [], explanation: `${head}: ${by} requires mTLS and ${remoteText} has no sidecar: denied` };
    }
    const denied = this.firstMatch(attached.deny, view, port);
    if (denied) return { verdict: 'deny', enforced: true, mtls: mode, policies, rules: [denied], explanation: `${head}: denied by ${denied} (DENY)` };
    if (attached.allow.length === 0) {
      return { verdict: 'allow', enforced: true, mtls: mode, policies, rules: [], explanation: `${head}: no ALLOW policy applies: allowed` };
    }
    const allowed = this.firstMatch(attached.allow, view, port);
    const names = attached.allow.map((p) => p.ref).join(', ');
    return allowed
      ? { verdict: 'allow', enforced: true, mtls: mode, policies, rules: [allowed], explanation: `${head}: allowed by ${allowed} (ALLOW)` }
      : {
          verdict: 'deny',
          enforced: true,
          mtls: mode,
          policies,
          rules: [],
          explanation: `${head}: ${names} apply and no ALLOW rule matches ${remoteText}${view.identity ? '' : ' (no mTLS identity)'} on ${port}: denied`,
        };
  }

  /** Sources whose identity/addresses a rule's `from` covers, for one mTLS situation. */
  private ruleSources(rule: AuthzRule, disabled: boolean): Bitset {
    if (rule.from === 'any') return this.sets.all;
    let byMode = this.sourceCache.get(rule);
    if (!byMode) this.sourceCache.set(rule, (byMode = new Map()));
    let set = byMode.get(disabled);
    if (!set) {
      set = new Bitset(this.sets.all.size);
      for (const w of this.sets.cluster.workloads) {
        const view = this.view({ workload: w }, disabled ? 'DISABLE' : 'PERMISSIVE');
        if (rule.from.some((s) => sourceMatches(s, view, this.trustDomain))) set.add(w.index);
      }
      byMode.set(disabled, set);
    }
    return set;
  }

  private policiesSources(policies: readonly AuthzPolicy[], port: number, disabled: boolean): Bitset {
    const out = new Bitset(this.sets.all.size);
    for (const p of policies) for (const r of p.rules) if (operationMatches(r, port)) out.or(this.ruleSources(r, disabled));
    return out;
  }

  /** Workloads the mesh layer lets reach `dst` on port/protocol (the matrix column). */
  allowedSources(dst: Workload, port: number, protocol: Protocol): Bitset {
    if (!dst.mesh || protocol !== 'TCP') return this.sets.all;
    const attached = this.att.mesh[dst.index]!;
    const { mode } = this.att.mtls(dst, port);
    if (attached.allow.length === 0 && attached.deny.length === 0 && mode !== 'STRICT') return this.sets.all;
    const disabled = mode === 'DISABLE';
    const out = mode === 'STRICT' ? this.meshSet.clone() : this.sets.all.clone();
    if (attached.allow.length > 0) out.and(this.policiesSources(attached.allow, port, disabled));
    if (attached.deny.length > 0) out.andNot(this.policiesSources(attached.deny, port, disabled));
    return out;
  }
}
