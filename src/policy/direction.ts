// One direction of one connection (egress at the source or ingress at the destination), explained.
import type { Direction, DirectionAttachments } from './attach.ts';
import type { Workload } from './cluster.ts';
import { portMatches, type ContainerPort } from './ports.ts';
import type { PeerSets, Remote } from './sets.ts';
import type { Rule } from './spec.ts';
import type { DirectionDecision, Protocol } from './types.ts';

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

function covers(sets: PeerSets, rule: Rule, t: Traffic): boolean {
  return portMatches(rule.ports, t.port, t.protocol, t.dstPorts) && sets.ruleCovers(rule, t.remote);
}

function lead(direction: Direction, t: Traffic): string {
  return direction === 'egress' ? `egress from ${t.subject.id}` : `ingress to ${t.subject.id}`;
}

function what(direction: Direction, t: Traffic): string {
  return `${direction === 'egress' ? 'to' : 'from'} ${t.remoteText} on ${t.port}/${t.protocol}`;
}

/**
 * Decides one direction: AdminNetworkPolicy rules in priority order (first match wins; Pass
 * goes on to NetworkPolicy), then NetworkPolicy/Cilium (deny rules win, isolation means only
 * allowed traffic passes), then BaselineAdminNetworkPolicy, then the default: allow.
 */
export function decideDirection(sets: PeerSets, direction: Direction, att: DirectionAttachments, t: Traffic): DirectionDecision {
  const head = lead(direction, t);
  const passedBy: string[] = [];
  for (const rule of att.admin) {
    if (!covers(sets, rule, t)) continue;
    if (rule.action === 'pass') {
      passedBy.push(rule.ref);
      break;
    }
    const verdict = rule.action;
    return {
      direction,
      verdict,
      decidedBy: 'admin',
      isolatedBy: [],
      rules: [rule.ref],
      passedBy,
      explanation: `${head}: ${verdict === 'allow' ? 'allowed' : 'denied'} by ${rule.ref} (${rule.action === 'allow' ? 'Allow' : 'Deny'}, ${what(direction, t)})`,
    };
  }
  const passNote = passedBy.length > 0 ? `${passedBy[0]} passes to NetworkPolicy; ` : '';
  const isolatedBy = att.network.filter((a) => a.section.isolates).map((a) => a.policy.ref);
  const allowRules: string[] = [];
  const denyRules: string[] = [];
  for (const { section } of att.network) {
    for (const rule of section.rules) {
      if (covers(sets, rule, t)) (rule.action === 'deny' ? denyRules : allowRules).push(rule.ref);
    }
  }
  if (denyRules.length > 0) {
    return {
      direction,
      verdict: 'deny',
      decidedBy: 'network',
      isolatedBy,
      rules: denyRules,
      passedBy,
      explanation: `${head}: ${passNote}denied by ${denyRules.join(', ')} (deny rules win, ${what(direction, t)})`,
    };
  }
  if (isolatedBy.length > 0) {
    const allowed = allowRules.length > 0;
    return {
      direction,
      verdict: allowed ? 'allow' : 'deny',
      decidedBy: 'network',
      isolatedBy,
      rules: allowRules,
      passedBy,
      explanation: allowed
        ? `${head}: ${passNote}isolated by ${isolatedBy.join(', ')}; allowed by ${allowRules.join(', ')}`
        : `${head}: ${passNote}isolated by ${isolatedBy.join(', ')}; no rule allows traffic ${what(direction, t)}: denied`,
    };
  }
  for (const rule of att.baseline) {
    if (!covers(sets, rule, t)) continue;
    const verdict = rule.action === 'allow' ? 'allow' : 'deny';
    return {
      direction,
      verdict,
      decidedBy: 'baseline',
      isolatedBy,
      rules: [rule.ref],
      passedBy,
      explanation: `${head}: ${passNote}no NetworkPolicy isolates it; ${verdict === 'allow' ? 'allowed' : 'denied'} by ${rule.ref} (${what(direction, t)})`,
    };
  }
  return {
    direction,
    verdict: 'allow',
    decidedBy: 'not-isolated',
    isolatedBy,
    rules: [],
    passedBy,
    explanation: `${head}: ${passNote}no policy isolates it for ${direction}: allowed`,
  };
}

