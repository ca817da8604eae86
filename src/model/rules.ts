// Expectation rules: which rule decides a cell, with "more specific wins" and conflicts found up front.

import type { Verdict } from './outcome.ts';
import type { ExpectRule } from './test-spec.ts';

/** How specifically a pattern names something: exact name 2, glob 1, `*` 0. */
export type Specificity = 0 | 1 | 2;

/** Matches one side of a rule against a name; undefined when it does not match. */
export function sideMatch(pattern: string, name: string): Specificity | undefined {
  return matcherOf(pattern)(name);
}

type Matcher = (name: string) => Specificity | undefined;

const isExact = (pattern: string): boolean => pattern !== '*' && !pattern.includes('*') && !pattern.includes('?');

/** A pattern compiled once (a glob's RegExp is built here, not per cell). */
function matcherOf(pattern: string): Matcher {
  if (pattern === '*') return () => 0;
  if (isExact(pattern)) return (name) => (name === pattern ? 2 : undefined);
  const glob = globToRegExp(pattern);
  return (name) => (glob.test(name) ? 1 : undefined);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
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

interface Entry {
  readonly rule: ExpectRule;
  readonly order: number;
  readonly from: Matcher;
  readonly to: Matcher;
}

/**
 * Rules indexed for lookups by cell: rules naming exact sources and/or targets are found by hash,
 * so a cell costs the rules that can match it, not every rule of the test.
 */
class RuleIndex {
  private readonly pairs = new Map<string, Entry[]>();
  private readonly byFrom = new Map<string, Entry[]>();
  private readonly byTo = new Map<string, Entry[]>();
  private readonly loose: Entry[] = [];

  constructor(rules: readonly ExpectRule[]) {
    rules.forEach((rule, order) => {
      const entry = { rule, order, from: matcherOf(rule.from), to: matcherOf(rule.to) };
      const [exactFrom, exactTo] = [isExact(rule.from), isExact(rule.to)];
      if (exactFrom && exactTo) push(this.pairs, `${rule.from}\u0000${rule.to}`, entry);
      else if (exactFrom) push(this.byFrom, rule.from, entry);
      else if (exactTo) push(this.byTo, rule.to, entry);
      else this.loose.push(entry);
    });
  }

  /** Every rule matching the cell with its score, most specific first (ties keep file order). */
  candidates(from: string, to: string): Decision[] {
    const found: (Decision & { order: number })[] = [];
    const consider = (entries: readonly Entry[] | undefined): void => {
      for (const entry of entries ?? []) {
        const f = entry.from(from);
        const t = f === undefined ? undefined : entry.to(to);
        if (f !== undefined && t !== undefined)
          found.push({ verdict: entry.rule.verdict, rule: entry.rule, score: f + t, order: entry.order });
      }
    };
    consider(this.pairs.get(`${from}\u0000${to}`));
    consider(this.byFrom.get(from));
    consider(this.byTo.get(to));
    consider(this.loose);
    return found
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .map(({ verdict, rule, score }) => ({ verdict, rule, score }));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// A test's rules are read once and asked about every cell: the index is built once per rules list.
const indexes = new WeakMap<readonly ExpectRule[], RuleIndex>();

function indexOf(rules: readonly ExpectRule[]): RuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    index = new RuleIndex(rules);
    indexes.set(rules, index);
  }
  return index;
}

/** The deciding rule for a cell, or undefined when no rule names it (the cell is unchecked). */
export function decide(rules: readonly ExpectRule[], from: string, to: string): Decision | undefined {
  // A matrix without written rules (simulate, ad-hoc probes) asks this for every cell.
  if (rules.length === 0) return undefined;
  return indexOf(rules).candidates(from, to)[0];
}

/** Cells where the most specific rules disagree; a loader reports these as errors. */
export function findConflicts(
  rules: readonly ExpectRule[],
  sources: readonly string[],
  targets: readonly string[],
): Conflict[] {
  const conflicts: Conflict[] = [];
  const index = indexOf(rules);
  for (const from of sources) {
    for (const to of targets) {
      const [best, ...rest] = index.candidates(from, to);
      const rival = best && rest.find((other) => other.score === best.score && other.verdict !== best.verdict);
      if (best && rival) conflicts.push({ from, to, first: best.rule, second: rival.rule });
    }
  }
  return conflicts;
}

/** A rule side that matches none of the names it could refer to (usually a typo). */
export function unmatchedSide(
  rule: ExpectRule,
  sources: readonly string[],
  targets: readonly string[],
): 'from' | 'to' | undefined {
  if (!matchesAny(rule.from, sources)) return 'from';
  if (!matchesAny(rule.to, targets)) return 'to';
  return undefined;
}

const nameSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** An exact pattern is a set lookup (a test may have tens of thousands of targets); globs scan. */
function matchesAny(pattern: string, names: readonly string[]): boolean {
  if (!isExact(pattern)) {
    const matcher = matcherOf(pattern);
    return names.some((name) => matcher(name) !== undefined);
  }
  let set = nameSets.get(names);
  if (!set) {
    set = new Set(names);
    nameSets.set(names, set);
  }
  return set.has(pattern);
}

/** How a rule is named in reports: its own name, or "from → to". */
export function ruleLabel(rule: ExpectRule): string {
  return rule.name ?? `${rule.from} → ${rule.to}`;
}
