// JUnit and SVG output stay well-formed XML 1.0 whatever characters names and target bodies hold:
// each is parsed by saxes, a strict XML 1.0 parser that rejects every character outside XML's Char production.

import { SaxesParser } from 'saxes';
import t from 'tap';
import { renderReport } from '../../src/report/render.ts';
import { reportCarrying } from './hostile.ts';

/** One of each class of character XML 1.0 cannot carry, and legal neighbours that must survive. */
const CLASSES: readonly [string, string][] = [
  ['C0 control', '\u0001'],
  ['escape', '\u001b'],
  ['tab, newline, carriage return', '\t\n\r'],
  ['DEL and C1', '\u007f\u0085'],
  ['lone high surrogate', '\ud800x'],
  ['lone low surrogate', 'x\udc00'],
  ['surrogates in the wrong order', '\udc00\ud800'],
  ['U+FFFE', '\ufffe'],
  ['U+FFFF', '\uffff'],
  ['a high surrogate last', '\udbff'],
];
const LEGAL = '😀 \ufdd0 \ue000 \ufffd';

/** The well-formedness errors a strict XML 1.0 parser finds, and all the text and attribute values it read. */
function parse(xml: string): { errors: string[]; text: string } {
  const parser = new SaxesParser();
  const errors: string[] = [];
  let text = '';
  parser.on('error', (error) => errors.push(error.message));
  parser.on('text', (chunk) => (text += chunk));
  parser.on('opentag', (tag) => (text += ` ${Object.values(tag.attributes).join(' ')} `));
  parser.write(xml).close();
  return { errors, text };
}

for (const format of ['junit', 'svg'] as const) {
  t.test(`${format}: every class of XML-illegal character is shown, and the document parses`, async (t) => {
    for (const [name, chars] of CLASSES) {
      const { errors, text } = parse(renderReport(reportCarrying(`<${chars}>`), format, { color: false }));
      t.same(errors, [], `${name}: well-formed`);
      t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/, `${name}: none left in the text`);
      t.notOk(
        /[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')),
        `${name}: no lone surrogate`,
      );
    }
    const { errors, text } = parse(
      renderReport(reportCarrying(CLASSES.map(([, c]) => c).join('')), format, { color: false }),
    );
    t.same(errors, [], 'all classes at once: well-formed');
    t.match(text, '\\ufffe\\uffff', 'U+FFFE and U+FFFF are shown as escapes');
    t.match(text, '\\ud800x', 'a lone surrogate is shown as an escape');
    t.match(text, '\\udc00\\ud800', 'so is a pair in the wrong order');
    t.match(text, '\\x01\\x1b', 'and control characters');
  });

  t.test(`${format}: legal characters outside ASCII are kept as they are`, async (t) => {
    const { errors, text } = parse(renderReport(reportCarrying(LEGAL), format, { color: false }));
    t.same(errors, []);
    t.match(text, LEGAL);
  });
}
