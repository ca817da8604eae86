// Kubernetes label selectors (matchLabels + matchExpressions): parsing, matching, canonical keys.
import { compareText } from '../model/names.ts';
import type { Fields } from './fields.ts';
import type { Labels } from './types.ts';

/** The four set-based operators of metav1.LabelSelectorRequirement. */
type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One requirement; `matchLabels` entries become `In` with one value. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A parsed selector. No requirements means "everything". */
export interface Selector {
  readonly requirements: readonly Requirement[];
  /** Canonical text, equal for equal selectors: used as a cache key and in explanations. */
  readonly key: string;
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Builds a selector from requirements, canonicalising their order. */
export function makeSelector(requirements: readonly Requirement[]): Selector {
  const sorted = requirements
    .map((r) => ({ ...r, values: [...new Set(r.values)].sort() }))
    .sort((a, b) => compareText(a.key, b.key) || compareText(a.operator, b.operator));
  const key = sorted.length === 0 ? '{}' : sorted.map(formatRequirement).join(',');
  return { requirements: sorted, key };
}

/** A selector from plain `key: value` pairs. */
export function selectorFromLabels(labels: Labels): Selector {
  return makeSelector(Object.entries(labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })));
}

/** The selector that matches everything. */
export const EVERYTHING: Selector = makeSelector([]);

function formatRequirement(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    default: {
      const never: never = r.operator;
      return never;
    }
  }
}

/**
 * Reads a metav1.LabelSelector. `mapKey` lets callers rewrite keys (Cilium's `k8s:` prefixes)
 * or reject some (it may throw through `fields.fail`).
 */
export function readSelector(
  fields: Fields,
  mapKey: (key: string, fail: (d: string) => never) => string = (k) => k,
): Selector {
  const requirements: Requirement[] = [];
  const labels = fields.strMap('matchLabels') ?? {};
  for (const [key, value] of Object.entries(labels)) {
    requirements.push({ key: mapKey(key, (d) => fields.fail(d, 'matchLabels')), operator: 'In', values: [value] });
  }
  fields.objList('matchExpressions', (expr) => {
    const rawKey = expr.reqStr('key');
    const key = mapKey(rawKey, (d) => expr.fail(d, 'key'));
    const operator = expr.reqStr('operator');
    if (!OPERATORS.includes(operator as SelectorOperator)) {
      expr.fail(`unknown operator "${operator}" (expected ${OPERATORS.join(', ')})`, 'operator');
    }
    const values = expr.strList('values') ?? [];
    const op = operator as SelectorOperator;
    if ((op === 'In' || op === 'NotIn') && values.length === 0) expr.fail(`${op} needs at least one value`, 'values');
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) expr.fail(`${op} takes no values`, 'values');
    requirements.push({ key, operator: op, values });
  });
  fields.done();
  return makeSelector(requirements);
}

/** True when the labels satisfy every requirement of the selector. */
export function matches(selector: Selector, labels: Labels): boolean {
  for (const r of selector.requirements) {
    const value = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'In':
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && r.values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default: {
        const never: never = r.operator;
        return never;
      }
    }
  }
  return true;
}

/** The set of keys a selector constrains. */
export function selectorKeys(selector: Selector): Set<string> {
  return new Set(selector.requirements.map((r) => r.key));
}
