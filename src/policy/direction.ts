// One direction of one connection (egress at the source or ingress at the destination), explained.
import { attachedRules, type Direction, type DirectionAttachments, ruleGroups } from './attach.ts';
import type { Workload } from './cluster.ts';
import { DNS_REASON } from './fqdn.ts';
import { type NodeInfo, nodesReason } from './nodes.ts';
import { type ContainerPort, portMatches } from './ports.ts';
import type { Match, PeerSets, Remote } from './sets.ts';
import type { Rule } from './spec.ts';
import type { DecidedBy, DirectionDecision, Protocol, Verdict } from './types.ts';

/** The traffic being judged, from the subject's point of view. */
export interface Traffic {
  readonly subject: Workload;
  readonly remote: Remote;
  /** Name of the remote end for explanations. */
  readonly remoteText: string;
  /** Container ports of the destination (undefined for an outside destination). */
  readonly dstPorts: readonly ContainerPort[] | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

/** One way the direction can end: a verdict, the layer and rules that gave it, and why. */
interface Outcome {
  readonly verdict: Verdict;
  readonly decidedBy: DecidedBy;
  readonly rules: readonly string[];
  readonly why: string;
}

function covers(sets: PeerSets, rule: Rule, t: Traffic): Match {
  return portMatches(rule.ports, t.port, t.protocol, t.dstPorts) ? sets.ruleCovers(rule, t.remote) : 'no';
}

function lead(direction: Direction, t: Traffic): string {
  return direction === 'egress' ? `egress from ${t.subject.id}` : `ingress to ${t.subject.id}`;
}

function what(direction: Direction, t: Traffic): string {
  return `${direction === 'egress' ? 'to' : 'from'} ${t.remoteText} on ${t.port}/${t.protocol}`;
}

/** The action as the policy spells it: ClusterNetworkPolicy (tied rules carry `tie`) says Accept. */
const actionWord = (rule: Rule): string => (rule.action === 'deny' ? 'Deny' : rule.tie ? 'Accept' : 'Allow');

/**
 * Walks one tier (admin or baseline) in priority order: `take` gets each rule that matches or may match,
 * and the first rule that surely matches ends the tier. Policies tied on tier and priority are each
 * walked in full, since an implementation may apply either first. Returns whether a rule surely matched.
 */
function walkTier(
  sets: PeerSets,
  rules: readonly Rule[],
  t: Traffic,
  uncertain: string[],
  tied: string[],
  take: (rule: Rule) => void,
): boolean {
  for (const group of ruleGroups(rules)) {
    const matched = new Set<string | undefined>();
    let decided = false;
    for (const policyRules of group.policies) {
      for (const rule of policyRules) {
        const m = covers(sets, rule, t);
        if (m === 'no') continue;
        matched.add(rule.policy);
        if (m === 'maybe') uncertain.push(rule.ref);
        take(rule);
        if (m === 'yes') {
          decided = true;
          break;
        }
      }
    }
    if (matched.size > 1) tied.push(group.policies.map((p) => p[0]!.policy).join(' and '));
    if (decided) return true;
  }
  return false;
}

/** What walking the tiers found: every outcome, and the rules and ties behind them. */
interface Trace {
  /** Every verdict the direction can have, in tier order: one, unless a rule may or may not match. */
  readonly outcomes: readonly Outcome[];
  /** Rules that may or may not match (CIDR peers against a workload with no known pod IP). */
  readonly uncertain: readonly string[];
  /** Pass rules that sent the traffic on to the next tier. */
  readonly passedBy: readonly string[];
  /** Policies tied on tier and priority, each pair as `a and b`. */
  readonly tied: readonly string[];
}

/**
 * Every outcome the direction can have. A rule whose peers are CIDR blocks and whose remote end is a
 * workload without known pod IPs may or may not match (`maybe`): both branches are followed, so
 * the outcomes then hold more than one verdict. Without such rules there is exactly one outcome.
 */
function outcomes(sets: PeerSets, direction: Direction, att: DirectionAttachments, t: Traffic): Trace {
  const out: Outcome[] = [];
  const uncertain: string[] = [];
  const passedBy: string[] = [];
  const tied: string[] = [];
  const trace: Trace = { outcomes: out, uncertain, passedBy, tied };
  const spec = what(direction, t);
  // Tier 1, admin (AdminNetworkPolicy, ClusterNetworkPolicy tier Admin): the first matching rule
  // decides; Pass goes on to NetworkPolicy. Tied policies are each walked: any of them may decide.
  const adminDecided = walkTier(sets, att.admin, t, uncertain, tied, (rule) => {
    if (rule.action === 'pass') passedBy.push(rule.ref);
    else
      out.push({
        verdict: rule.action,
        decidedBy: 'admin',
        rules: [rule.ref],
        why: `${rule.action === 'allow' ? 'allowed' : 'denied'} by ${rule.ref} (${actionWord(rule)}, ${spec})`,
      });
  });
  if (adminDecided && passedBy.length === 0) return trace;
  const passNote = passedBy.length > 0 ? `${passedBy[0]} passes to NetworkPolicy; ` : '';
  // Tier 2, NetworkPolicy and Cilium: deny rules win; isolation means only allowed traffic passes.
  const isolatedBy = att.network.filter((a) => a.section.isolates).map((a) => a.policy.ref);
  const found = {
    denyYes: [] as string[],
    denyMaybe: [] as string[],
    allowYes: [] as string[],
    allowMaybe: [] as string[],
  };
  for (const { section } of att.network) {
    for (const rule of section.rules) {
      const m = covers(sets, rule, t);
      if (m === 'no') continue;
      const list =
        rule.action === 'deny'
          ? m === 'yes'
            ? found.denyYes
            : found.denyMaybe
          : m === 'yes'
            ? found.allowYes
            : found.allowMaybe;
      list.push(rule.ref);
    }
  }
  const denyRules = [...found.denyYes, ...found.denyMaybe];
  if (denyRules.length > 0) {
    uncertain.push(...found.denyMaybe);
    out.push({
      verdict: 'deny',
      decidedBy: 'network',
      rules: denyRules,
      why: `${passNote}denied by ${denyRules.join(', ')} (deny rules win, ${spec})`,
    });
    if (found.denyYes.length > 0) return trace;
  }
  if (isolatedBy.length > 0) {
    const isolated = `${passNote}isolated by ${isolatedBy.join(', ')}`;
    const allowRules = [...found.allowYes, ...found.allowMaybe];
    if (allowRules.length > 0)
      out.push({
        verdict: 'allow',
        decidedBy: 'network',
        rules: allowRules,
        why: `${isolated}; allowed by ${allowRules.join(', ')}`,
      });
    if (found.allowYes.length === 0) {
      uncertain.push(...found.allowMaybe);
      out.push({
        verdict: 'deny',
        decidedBy: 'network',
        rules: [],
        why: `${isolated}; no rule allows traffic ${spec}: denied`,
      });
    }
    return trace;
  }
  // Tier 3, baseline (BaselineAdminNetworkPolicy, ClusterNetworkPolicy tier Baseline), then the default:
  // allowed. A baseline Pass skips the rest of the tier, to the default.
  let baselinePass = '';
  const decided = walkTier(sets, att.baseline, t, uncertain, tied, (rule) => {
    if (rule.action === 'pass') {
      passedBy.push(rule.ref);
      baselinePass = `${rule.ref} passes the baseline tier; `;
    } else {
      const verdict = rule.action === 'allow' ? 'allow' : 'deny';
      out.push({
        verdict,
        decidedBy: 'baseline',
        rules: [rule.ref],
        why: `${passNote}no NetworkPolicy isolates it; ${verdict === 'allow' ? 'allowed' : 'denied'} by ${rule.ref} (${spec})`,
      });
    }
  });
  if (decided && baselinePass === '') return trace;
  out.push({
    verdict: 'allow',
    decidedBy: 'not-isolated',
    rules: [],
    why: `${passNote}${baselinePass}no policy isolates it for ${direction}: allowed`,
  });
  return trace;
}

/**
 * What an undecidable match hangs on: the DNS answers behind a domainNames rule, the addresses an outside
 * name resolves to, or (the usual case) pod IPs the manifests do not give.
 */
function uncertainty(
  att: DirectionAttachments,
  refs: readonly string[],
  t: Traffic,
  nodes: readonly NodeInfo[] | undefined,
): string {
  const wanted = new Set(refs);
  const rules = attachedRules(att).filter((r) => wanted.has(r.ref));
  const kinds = new Set(rules.flatMap((r) => (r.peers === 'all' ? [] : r.peers.map((p) => p.kind))));
  const why: string[] = [];
  if (kinds.has('domains')) why.push(DNS_REASON);
  if (kinds.has('nodes')) why.push(nodesReason(nodes));
  if (t.remote.name !== undefined && kinds.has('cidr'))
    why.push(
      `the addresses ${t.remote.name} resolves to, which the model does not know (give the target an IP and a family to decide IP rules)`,
    );
  if (why.length === 0 || (t.remote.workload && kinds.has('cidr')))
    why.push('pod IPs the manifests do not give (pods with status.podIPs decide it)');
  return why.join('; and on ');
}

/**
 * Decides one direction: AdminNetworkPolicy rules in priority order (first match wins; Pass
 * goes on to NetworkPolicy), then NetworkPolicy/Cilium (deny rules win, isolation means only
 * allowed traffic passes), then BaselineAdminNetworkPolicy, then the default: allow. When the
 * verdict hangs on CIDR rules and pod IPs the inputs do not give, it is `unknown`, never a guess.
 */
export function decideDirection(
  sets: PeerSets,
  direction: Direction,
  att: DirectionAttachments,
  t: Traffic,
): DirectionDecision {
  const head = lead(direction, t);
  const { outcomes: all, uncertain, passedBy, tied } = outcomes(sets, direction, att, t);
  const isolatedBy = att.network.filter((a) => a.section.isolates).map((a) => a.policy.ref);
  const verdicts = new Set(all.map((o) => o.verdict));
  if (verdicts.size > 1) {
    const rules = [...new Set(uncertain)];
    return {
      direction,
      verdict: 'unknown',
      decidedBy: all[0]!.decidedBy,
      isolatedBy,
      rules,
      passedBy,
      explanation:
        tied.length > 0
          ? `${head}: unknown: ${tied.join('; ')} have the same tier and priority, and the API lets an implementation apply either: ${all.map((o) => o.why).join(', or ')}`
          : `${head}: unknown: whether ${rules.join(', ')} match ${t.remoteText} depends on ${uncertainty(att, rules, t, sets.cluster.nodes)}: ${all.map((o) => o.why).join(', or ')}`,
    };
  }
  const [first, ...rest] = all;
  const rules = [...new Set(all.flatMap((o) => o.rules))];
  const why =
    rest.length === 0
      ? first!.why
      : `${all.map((o) => o.why).join(', or ')} (${tied.length > 0 ? `${tied.join('; ')} are tied on tier and priority; every order gives this verdict` : 'which one depends on pod IPs that are not known'})`;
  return {
    direction,
    verdict: first!.verdict,
    decidedBy: first!.decidedBy,
    isolatedBy,
    rules,
    passedBy,
    explanation: `${head}: ${why}`,
  };
}
