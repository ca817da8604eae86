// Markdown reports go into CI job summaries and pull-request comments, rendered as GitHub-flavoured
// Markdown: nothing a target or a name says may become HTML, a link or formatting there. Rendered
// with micromark and its GFM extension (tables, autolink literals, strikethrough), raw HTML allowed
// as GitHub allows it before sanitizing, so what the report lets through shows.

import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import t from 'tap';
import { renderReport } from '../../src/report/render.ts';
import { reportCarrying } from './hostile.ts';

/** Text a hostile target or test file could hold, each line one trick. */
const TRICKS: readonly [string, string][] = [
  ['raw HTML', '<img src=x onerror=alert(1)>'],
  ['a closing tag and a comment', '</td><!-- x -->'],
  ['an inline link', '[click](javascript:alert(1))'],
  ['an image', '![pic](http://evil.example/p.png)'],
  ['a reference link and definition', '[x][y] [y]: http://evil.example'],
  ['an autolink', '<http://evil.example/a>'],
  ['a URL literal', 'see http://evil.example/a and https://evil.example'],
  ['a www literal', 'www.evil.example'],
  ['an e-mail literal', 'mail me@evil.example now'],
  ['mailto and xmpp literals', 'mailto:me@evil.example xmpp:me@evil.example'],
  ['an entity', '&lt;script&gt; &#106;avascript&colon;'],
  ['a code span', '`code` and ``more``'],
  ['emphasis and strikethrough', '*em* _em_ **strong** ~~gone~~'],
  ['a pipe that would end the cell', 'a | b \\| c'],
  ['backslashes', 'C:\\path\\ and \\*'],
  ['a heading closer and math', 'x ## $a$ $$b$$'],
  ['a footnote', '[^1]'],
];

/** GitHub-flavoured Markdown to HTML, raw HTML and any protocol let through. */
const render = (markdown: string): string =>
  micromark(markdown, {
    allowDangerousHtml: true,
    allowDangerousProtocol: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
/** What a reader sees: the HTML without its tags, entities decoded. */
const visible = (html: string): string =>
  html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot);/g, (_, name: string) => entities[name]!);

/** The elements of a document, by name, in order. */
const elements = (html: string): string[] => [...html.matchAll(/<([a-z][\w-]*)/gi)].map((m) => m[1]!.toLowerCase());

/** The elements the report makes of itself, from names that hold nothing special. */
const OWN = elements(render(renderReport(reportCarrying('harmless'), 'markdown', { color: false })));

for (const [name, trick] of TRICKS) {
  t.test(`${name}: shown as text, never HTML, a link or formatting`, async (t) => {
    const html = render(renderReport(reportCarrying(trick), 'markdown', { color: false }));
    t.same(elements(html), OWN, 'only the elements of the report itself');
    t.notMatch(html, /<[^>]*\s(?:href|src|on\w+)=/i, 'no link, source or handler attribute');
    t.notMatch(html, /<!--/, 'no comment');
    // Test, context, source, target (header and listed cells), rule, detail and URL: each shows the text whole.
    const seen = visible(html).split(trick).length - 1;
    t.ok(seen >= 8, `the text is shown as written, ${seen} times`);
    t.equal((html.match(/<tr>/g) ?? []).length, 2 + 1 + 2, 'the tables keep their rows');
    t.notOk(/<td>[^<]*<\/td><\/tr>\s*<tr>\s*<td><\/td>/.test(html), 'no cell was split');
  });
}

t.test('the matrix and the list keep their columns whatever the names hold', async (t) => {
  const html = render(
    renderReport(reportCarrying(TRICKS.map(([, trick]) => trick).join(' ')), 'markdown', { color: false }),
  );
  for (const row of html.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = (row.match(/<t[dh][\s>]/g) ?? []).length;
    t.ok(cells === 4, `a row of 4 cells: ${visible(row).slice(0, 80)}`);
  }
});
