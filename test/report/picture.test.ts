// -o svg and -o html as documents: a rect per cell with its tooltip, problems outlined and lettered,
// names escaped, nothing loaded from outside. test/report/chromium.system.test.ts checks them as drawn.

import t from 'tap';
import { renderReport } from '../../src/report/render.ts';
import { MARK_COLOURS } from '../../src/report/svg.ts';
import { gridReport, sampleReport } from './fixtures.ts';

const cells = (svg: string): string[] =>
  [...svg.matchAll(/<rect class="k\d+ [cp]" x="\d+" y="\d+"[^>]*><title>[^<]*<\/title><\/rect>/g)].map((m) => m[0]);

t.test('svg: one rect per cell, a tooltip with the reason, the mismatch red and lettered', async (t) => {
  const svg = renderReport(sampleReport(), 'svg', { color: false });
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
  t.match(svg, /<\/svg>\n$/);
  t.equal(cells(svg).length, 9);
  const mismatch = cells(svg).find((c) => c.includes('apache → redis'))!;
  t.match(
    mismatch,
    /<title>apache → redis: allow \(pong\) · case 2 · expected deny by case 2, observed allow \(pong\)<\/title>/,
  );
  const index = Object.keys(MARK_COLOURS).indexOf('A');
  t.match(mismatch, new RegExp(`class="k${index} p"`), 'the mismatch colour, outlined');
  t.match(svg, new RegExp(`\\.k${index}\\{fill:${MARK_COLOURS.A}\\}`));
  t.match(svg, /<text class="g" x="\d+" y="\d+">A<\/text>/, 'lettered, so it shows without colour');
  t.match(svg, /ALLOWED but expected deny<\/text>/, 'legend');
  t.match(svg, /9 cells: 3 pass, 1 fail, 3 error, 2 unchecked — exit 2/, 'summary');
  t.match(svg, /transform="rotate\(-90 /, 'target names rotated');
});

t.test('svg: names and reasons from manifests are escaped', async (t) => {
  const svg = renderReport(
    gridReport(12, (i) => (i === 1 ? 'ns/<script>alert(1)</script>&"\u001b' : `ns/app-${i}`)),
    'svg',
    { color: false },
  );
  t.notMatch(svg, /<script/);
  t.notMatch(svg, /\u001b/);
  t.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&quot;\\x1b/);
  t.equal(cells(svg).length, 144);
});

t.test('svg: grouped by namespace, a gap between groups', async (t) => {
  const svg = renderReport(gridReport(20), 'svg', { color: false });
  const xs = [...new Set(cells(svg).map((c) => Number(/ x="(\d+)"/.exec(c)![1])))].sort((a, b) => a - b);
  const steps = xs.slice(1).map((x, i) => x - xs[i]!);
  t.same([...new Set(steps)].sort(), [16, 21], 'a cell pitch, and one wider step between ns-0 and ns-1');
});

t.test('html: self-contained, no script, the picture and the cells needing attention', async (t) => {
  const html = renderReport(sampleReport(), 'html', { color: false });
  t.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
  t.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/,
  );
  t.notMatch(html, /<script|<link|src=|url\(/, 'nothing loaded or run');
  t.notMatch(html, /href=|@import/, 'no link to anything');
  t.equal(cells(html).length, 9);
  t.match(html, /<tr><td class="m" [^>]*>A<\/td><td>apache → redis \(case 2\)<\/td><td>allow \(pong\)<\/td>/);
  t.match(html, /<\/html>\n$/);
});
