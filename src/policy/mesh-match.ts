// Matching one Istio `from.source` against who the destination's sidecar sees (identity, addresses).
import { type Address, inBlock } from './cidr.ts';
import type { Match } from './sets.ts';
import type { AuthzSource, Pattern } from './spec.ts';

/** Who the sidecar sees: an mTLS identity (namespace, service account) or none, and addresses. */
export interface SourceView {
  readonly identity: { readonly namespace: string; readonly serviceAccount: string } | null;
  readonly addresses: readonly Address[];
  /** False when some of the source's pod IPs are unknown: IP blocks then cannot be decided. */
  readonly complete: boolean;
}

/** Both hold: `no` wins over `maybe`, which wins over `yes`. */
export const and = (a: Match, b: Match): Match =>
  a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes';
const not = (m: Match): Match => (m === 'yes' ? 'no' : m === 'no' ? 'yes' : 'maybe');

/**
 * Istio's string match (pilot/pkg/security/authz/matcher: StringMatcherWithPrefix, HeaderMatcher):
 * `*` is any value, `prefix*` and `*suffix` match the start and the end, anything else exactly.
 */
function patternMatches(pattern: Pattern, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** Whether one of the patterns matches `value` (none does when there is no value). */
export function anyMatch(patterns: readonly Pattern[], value: string | undefined): boolean {
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
export function sourceMatches(source: AuthzSource, view: SourceView, trustDomain: string): Match {
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
