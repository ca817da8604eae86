// Text from targets and manifests made safe to show: control characters made visible, then XML's or Markdown's escaping.

// C0 controls (newline and tab included: one cell stays one line), DEL, C1 controls, and the
// invisible characters that reorder or break lines: Arabic letter mark, LRM/RLM, line and
// paragraph separators, bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069). Then
// what no UTF-8 text or XML 1.0 document may hold: the non-characters U+FFFE and U+FFFF, and a
// surrogate that is not half of a pair (a high one not followed by a low one, a low one not after a
// high one). The regex works on UTF-16 code units (no `u` flag) so that a lone surrogate can match.
const UNSAFE_ALL =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// One character class, without lookarounds, that every unsafe text matches (and text with a proper
// surrogate pair too): the quick test that lets most text through untouched, at a third of the cost.
const SUSPECT =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]/;

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
 * reverse text; U+FFFE, U+FFFF and lone surrogates are shown the same way (`\ufffe`, `\ud800`), so
 * the result is always text XML 1.0 can carry. Every human-facing format passes target- and
 * manifest-derived text through it.
 *
 * @example escapeText('ok\u001b[2J') // 'ok\\x1b[2J'
 */
export function escapeText(text: string): string {
  // Most text is clean: test once before building a new string.
  return SUSPECT.test(text) ? text.replace(UNSAFE_ALL, shown) : text;
}

const XML_SPECIAL: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Text made safe for XML 1.0 element text and attribute values (JUnit, SVG, HTML): escapeText first,
 * which leaves only characters XML can carry, then XML's five special characters as entities.
 *
 * @example xmlText('a < b\ufffe') // 'a &lt; b\\ufffe'
 */
export function xmlText(text: string): string {
  return escapeText(text).replace(/[<>&"']/g, (c) => XML_SPECIAL[c] ?? c);
}

// ASCII punctuation GitHub-flavoured Markdown (or GitHub itself) gives a meaning to inline: HTML and
// entities (< > &), links and images ([ ] ( ) !), code, emphasis and strikethrough (` * _ ~), the table's
// cell border (|), headings' closing #, math ($), mentions and e-mail literals (@), and the colon of
// every scheme (http:, mailto:, javascript:) so that no URL literal becomes a link. Every ASCII
// punctuation character may be backslash-escaped, so the reader sees the character itself.
const MARKDOWN_SPECIAL = /[\\`*_~[\]()<>&|!#$@:]/g;

/**
 * Text from targets and manifests as inert GFM inline text: control characters shown (escapeText),
 * then each special character backslash-escaped, and `www.` broken (its dot escaped), the one
 * autolink literal without a colon or an @. Safe in a table cell, a heading and between `**`.
 *
 * @example markdownText('<img src=x>') // '\\<img src=x\\>'
 */
export function markdownText(text: string): string {
  return escapeText(text)
    .replace(MARKDOWN_SPECIAL, '\\$&')
    .replace(/(www)\./gi, '$1\\.');
}
