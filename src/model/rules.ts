// Expectation rules: which rule decides a cell, with "more specific wins" and conflicts found up front.

import type { Verdict } from './outcome.ts';
import type { ExpectRule } from './test-spec.ts';

/** How specifically a pattern names something: exact name 2, glob 1, `*` 0. */
export type Specificity = 0 | 1 | 2;

/** Matches one side of a rule against a name; undefined when it does not match. */
export function sideMatch(pattern: string, name: string): Specificity | undefined {
  if (pattern === '*') return 0;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name ? 2 : undefined;
  return globToRegExp(pattern).test(name) ? 1 : undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The rule that decides a cell and the verdict it gives. */
export interface Decision {
  readonly verdict: Verdict;
  readonly rule: ExpectRule;
  readonly score: number;
}

/** Two rules of equal specificity that give different verdicts for the same cell. */
export interface Conflict {
  readonly from: string;
  readonly to: string;
  readonly first: ExpectRule;
  readonly second: ExpectRule;
}

/** Every rule matching the cell with its score, most specific first (ties keep file order). */
function candidates(rules: readonly ExpectRule[], from: string, to: string): Decision[] {
  const found: Decision[] = [];
  for (const rule of rules) {
    const f = sideMatch(rule.from, from);
    const t = sideMatch(rule.to, to);
    if (f !== undefined && t !== undefined) found.push({ verdict: rule.verdict, rule, score: f + t });
  }
  return found.sort((a, b) => b.score - a.score);
}

/** The deciding rule for a cell, or undefined when no rule names it (the cell is unchecked). */
export function decide(rules: readonly ExpectRule[], from: string, to: string): Decision | undefined {
  return candidates(rules, from, to)[0];
}

/** Cells where the most specific rules disagree; a loader reports these as errors. */
export function findConflicts(rules: readonly ExpectRule[], sources: readonly string[], targets: readonly string[]): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const from of sources) {
    for (const to of targets) {
      const [best, ...rest] = candidates(rules, from, to);
      const rival = best && rest.find((other) => other.score === best.score && other.verdict !== best.verdict);
      if (best && rival) conflicts.push({ from, to, first: best.rule, second: rival.rule });
    }
  }
  return conflicts;
}

/** A rule side that matches none of the names it could refer to (usually a typo). */
export function unmatchedSide(rule: ExpectRule, sources: readonly string[], targets: readonly string[]): 'from' | 'to' | undefined {
  if (!sources.some((name) => sideMatch(rule.from, name) !== undefined)) return 'from';
  if (!targets.some((name) => sideMatch(rule.to, name) !== undefined)) return 'to';
  return undefined;
}

/** How a rule is named in reports: its own name, or "from → to". */
export function ruleLabel(rule: ExpectRule): string {
  return rule.name ?? `${rule.from} → ${rule.to}`;
}
