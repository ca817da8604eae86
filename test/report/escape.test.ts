// escapeText: which characters are shown as escapes, and the progress line that uses it.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { progressReporter } from '../../src/orchestration/progress.ts';
import { escapeText } from '../../src/report/escape.ts';

t.test('control characters become visible escapes; everything else is kept', async (t) => {
  const rows: [string, string, string][] = [
    ['plain text, accents and symbols', 'café → redis ✓ 日本', 'café → redis ✓ 日本'],
    ['CSI: clear the screen', '\u001b[2J', '\\x1b[2J'],
    ['OSC: retitle the terminal, ended by BEL', '\u001b]0;x\u0007', '\\x1b]0;x\\x07'],
    ['newline, carriage return, tab', 'a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['NUL and DEL', '\u0000\u007f', '\\x00\\x7f'],
    ['C1: the 8-bit CSI and NEL', '\u009b31m\u0085', '\\x9b31m\\x85'],
    ['bidi override and isolate', '\u202eevil\u2066', '\\u202eevil\\u2066'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['marks that reorder text', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
    ['non-characters U+FFFE and U+FFFF', '\ufffe\uffff', '\\ufffe\\uffff'],
    ['lone surrogates, and a pair in the wrong order', '\ud800x\udc00 \udc00\ud800', '\\ud800x\\udc00 \\udc00\\ud800'],
    ['a surrogate pair (an emoji) and U+FFFD are kept', '😀\ufffd', '😀\ufffd'],
  ];
  for (const [name, input, shown] of rows) t.equal(escapeText(input), shown, name);
});

t.test('a progress line escapes the message; only its own erase code reaches the terminal', async (t) => {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream;
  let written = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk));
  const progress = progressReporter(stream);
  progress.update('web: failed: \u001b[2J\u202e');
  t.equal(written, '\r\u001b[2Kweb: failed: \\x1b[2J\\u202e');
});
