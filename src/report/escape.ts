// Text from targets and manifests made safe for a person's terminal: control characters are shown, never acted on.

// C0 controls (newline and tab included: one cell stays one line), DEL, C1 controls, and the
// invisible characters that reorder or break lines: Arabic letter mark, LRM/RLM, line and
// paragraph separators, bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function shown(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Replaces control characters with visible escapes (`\x1b`, `\n`, `\u202e`), so an HTTP body, a
 * Redis error or a name cannot clear the screen, move the cursor, fake a line of the report or
 * reverse text. Every human-facing format passes target- and manifest-derived text through it.
 *
 * @example escapeText('ok\u001b[2J') // 'ok\\x1b[2J'
 */
export function escapeText(text: string): string {
  // Most text is clean: test once before building a new string.
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, shown) : text;
}
