// The Istio layer at the destination's sidecar: PeerAuthentication mTLS, then DENY, then ALLOW policies.
import type { Attachments } from './attach.ts';
import { Bitset } from './bitset.ts';
import type { Workload } from './cluster.ts';
import { httpConditions, type L7, l7View, operationMatch } from './http-match.ts';
import { and, type SourceView, sourceMatches } from './mesh-match.ts';
import type { Match, PeerSets, Remote, SideSets } from './sets.ts';
import type { AuthzPolicy, AuthzRule, MtlsMode } from './spec.ts';
import type { HttpRequest, MeshDecision, Protocol, RequestPolicy } from './types.ts';

/** A rule that matched (or may have): its name, the HTTP field that decided, and whether the request left it open. */
interface Hit {
  readonly ref: string;
  readonly why: string | undefined;
  readonly open: boolean;
}

const note = (why: string | undefined): string => (why ? `; ${why}` : '');

/** The Istio layer for one model: decisions with explanations, and matrix columns. */
export class MeshLayer {
  private readonly sets: PeerSets;
  private readonly att: Attachments;
  private readonly trustDomain: string;
  private readonly httpPort: (w: Workload, port: number) => boolean;
  private readonly meshSet: Bitset;
  private readonly sourceCache = new Map<AuthzRule, Map<boolean, { yes: Bitset; maybe: Bitset }>>();

  constructor(sets: PeerSets, att: Attachments, trustDomain: string, httpPort: (w: Workload, port: number) => boolean) {
    this.sets = sets;
    this.att = att;
    this.trustDomain = trustDomain;
    this.httpPort = httpPort;
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

  /** Whether a rule's `from` covers the source: any of its entries. */
  private fromMatch(rule: AuthzRule, view: SourceView): Match {
    if (rule.from === 'any') return 'yes';
    let m: Match = 'no';
    for (const s of rule.from) {
      const one = sourceMatches(s, view, this.trustDomain);
      if (one === 'yes') return 'yes';
      if (one === 'maybe') m = 'maybe';
    }
    return m;
  }

  private l7(dst: Workload, port: number, request: HttpRequest | undefined): L7 {
    return l7View(this.httpPort(dst, port), request, `port ${port} of ${dst.id}`);
  }

  /** Rules of the policies that surely match, those that may, and why HTTP fields kept others out. */
  private matching(policies: readonly AuthzPolicy[], view: SourceView, port: number, l7: L7) {
    const out = { yes: [] as Hit[], maybe: [] as Hit[], missed: [] as string[] };
    for (const p of policies) {
      for (const r of p.rules) {
        const from = this.fromMatch(r, view);
        if (from === 'no') continue;
        const op = operationMatch(r, p.action === 'ALLOW' ? 'ALLOW' : 'DENY', port, l7);
        const m = and(op.match, from);
        if (m === 'no') {
          if (op.why) out.missed.push(op.why);
          continue;
        }
        out[m].push({ ref: r.ref, why: op.why, open: op.match === 'maybe' });
      }
    }
    return out;
  }

  /** Decides the mesh layer for traffic from `remote` to `dst`; `request` when the probe sends one in clear text. */
  decide(
    dst: Workload,
    remote: Remote,
    remoteText: string,
    port: number,
    protocol: Protocol,
    request?: HttpRequest,
  ): MeshDecision {
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
    const l7 = this.l7(dst, port, request);
    const denied = this.matching(attached.deny, view, port, l7);
    const base = { enforced: true, mtls: mode, policies } as const;
    const first = denied.yes[0];
    if (first)
      return {
        ...base,
        verdict: 'deny',
        rules: [first.ref],
        explanation: `${head}: denied by ${first.ref} (DENY${note(first.why)})`,
      };
    const allowed = attached.allow.length > 0 ? this.matching(attached.allow, view, port, l7) : undefined;
    if (allowed && allowed.yes.length === 0 && allowed.maybe.length === 0) {
      const names = attached.allow.map((p) => p.ref).join(', ');
      const why = `${names} apply and no ALLOW rule matches ${remoteText}${view.identity ? '' : ' (no mTLS identity)'} on ${port}${note(allowed.missed.join('; '))}: denied`;
      return { ...base, verdict: 'deny', rules: [], explanation: `${head}: ${why}` };
    }
    // Undecidable: a DENY rule, or the only ALLOW rules, match by IP blocks the source's IPs leave open, or by a request not given.
    const open = [...denied.maybe, ...(allowed && allowed.yes.length === 0 ? allowed.maybe : [])];
    if (open.length > 0) {
      const names = open.map((h) => h.ref).join(', ');
      const why =
        l7.kind === 'open' && open.some((h) => h.open)
          ? `whether ${names} match depends on the request: ${l7.why}`
          : `whether ${names} match ${remoteText} depends on pod IPs the manifests do not give (pods with status.podIPs decide it)`;
      return { ...base, verdict: 'unknown', rules: open.map((h) => h.ref), explanation: `${head}: unknown: ${why}` };
    }
    if (!allowed)
      return { ...base, verdict: 'allow', rules: [], explanation: `${head}: no ALLOW policy applies: allowed` };
    const hit = allowed.yes[0]!;
    return {
      ...base,
      verdict: 'allow',
      rules: [hit.ref],
      explanation: `${head}: allowed by ${hit.ref} (ALLOW${note(hit.why)})`,
    };
  }

  /**
   * What `dst`'s HTTP filter decides per request from `remote` on `port`, the source and port judged
   * here; undefined where no HTTP field takes part (the connection's verdict is the request's). A
   * source an IP block may cover is kept for DENY rules and left out of ALLOW ones: never a guessed allow.
   */
  requestPolicy(dst: Workload, remote: Remote, port: number): RequestPolicy | undefined {
    const attached = this.att.mesh[dst.index]!;
    if (!dst.mesh || !this.httpPort(dst, port)) return undefined;
    const view = this.view(remote, this.att.mtls(dst, port).mode);
    const conditions = (policies: readonly AuthzPolicy[], keepMaybe: boolean) =>
      policies.flatMap((p) =>
        p.rules.flatMap((r) => {
          const from = this.fromMatch(r, view);
          return from === 'yes' || (from === 'maybe' && keepMaybe) ? httpConditions(r, port) : [];
        }),
      );
    const deny = conditions(attached.deny, true);
    const allow = attached.allow.length > 0 ? conditions(attached.allow, false) : 'all';
    const all = [...deny, ...(allow === 'all' ? [] : allow)];
    return all.some((c) => Object.keys(c.fields).length > 0) ? { deny, allow } : undefined;
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
      for (const w of this.sets.cluster.workloads) {
        const m = this.fromMatch(rule, this.view({ workload: w }, disabled ? 'DISABLE' : 'PERMISSIVE'));
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
    l7: L7,
  ): { yes: Bitset; maybe: Bitset } {
    const yes = new Bitset(this.sets.all.size);
    const maybe = new Bitset(this.sets.all.size);
    for (const p of policies) {
      for (const r of p.rules) {
        const op = operationMatch(r, p.action === 'ALLOW' ? 'ALLOW' : 'DENY', port, l7).match;
        if (op === 'no') continue;
        const one = this.ruleSources(r, disabled);
        // A rule whose request is not known may cover every source its `from` may.
        (op === 'yes' ? yes : maybe).or(one.yes);
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
    const l7 = this.l7(dst, port, undefined);
    // STRICT refuses sources without a sidecar before any policy is read.
    const refused = mode === 'STRICT' ? all.clone().andNot(this.meshSet) : new Bitset(all.size);
    const allow = all.clone().andNot(refused);
    const deny = refused.clone();
    if (attached.deny.length > 0) {
      const d = this.policiesSources(attached.deny, port, disabled, l7);
      allow.andNot(d.yes);
      deny.or(d.yes).or(d.maybe);
    }
    if (attached.allow.length > 0) {
      const a = this.policiesSources(attached.allow, port, disabled, l7);
      allow.and(a.yes.clone().or(a.maybe));
      deny.or(all.clone().andNot(a.yes));
    }
    return { allow, deny };
  }
}
