// Lists of names inside one-line messages: the first few, then how many more.

/**
 * `a, b, c, d, e and 29995 more`: a message about a test with thousands of targets stays one
 * readable line. `none` for an empty list.
 */
export function someNames(names: readonly string[], shown = 5): string {
  if (names.length === 0) return 'none';
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
