// Evaluation groups of a tier's rules: rules in a defined order, or policies tied on tier and priority.
import type { Rule } from './spec.ts';

/**
 * A run of a tier's rules, in evaluation order. `policies` holds one list when the order is defined
 * (one policy, or AdminNetworkPolicies ordered by name); several when ClusterNetworkPolicies of the
 * same tier and priority apply to the pod: the API lets an implementation apply any of them, so
 * each policy's rules are walked on their own and every outcome they give is possible.
 */
export interface RuleGroup {
  readonly policies: readonly (readonly Rule[])[];
}

/** Splits a tier's rules (already in evaluation order) into groups. */
export function ruleGroups(rules: readonly Rule[]): RuleGroup[] {
  const out: { policies: Rule[][] }[] = [];
  let tie: string | undefined;
  let policy: string | undefined;
  for (const rule of rules) {
    const last = out.at(-1);
    if (last && rule.tie !== undefined && rule.tie === tie) {
      if (rule.policy === policy) last.policies.at(-1)!.push(rule);
      else last.policies.push([rule]);
    } else if (last && rule.tie === undefined && tie === undefined) {
      last.policies[0]!.push(rule);
    } else {
      out.push({ policies: [[rule]] });
    }
    tie = rule.tie;
    policy = rule.policy;
  }
  return out;
}

/** The policies of tied groups, as `a and b`, for explanations; empty when every order is defined. */
export function tiedPolicies(rules: readonly Rule[]): string[] {
  return ruleGroups(rules)
    .filter((g) => g.policies.length > 1)
    .map((g) => g.policies.map((p) => p[0]!.policy).join(' and '));
}
