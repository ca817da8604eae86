// Names and field paths inside one-line messages: lists cut to the first few, paths as kubectl writes them;
// names ordered the same way on every machine.

/**
 * `a, b, c, d, e and 29995 more`: a message about a test with thousands of targets stays one
 * readable line. `none` for an empty list.
 */
export function someNames(names: readonly string[], shown = 5): string {
  if (names.length === 0) return 'none';
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

/** A path to a field of a parsed document, e.g. ['spec', 'ingress', 0, 'from']. */
export type FieldPath = readonly (string | number)[];

/**
 * Renders a path the way kubectl does, for test files, plans and manifests alike.
 * @example formatPath(['spec', 'expect', 2, 'verdict']) // 'spec.expect[2].verdict'
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * Orders two strings by UTF-16 code units, as `<` does (and as Go's sort.Strings, kubectl's order):
 * `B` before `a`, `_` after `Z`. Not `localeCompare`, whose order follows the machine's locale and
 * ICU's collation, so output sorted with it could differ between machines.
 * @example ['b', 'a', 'B'].sort(compareText) // ['B', 'a', 'b']
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
