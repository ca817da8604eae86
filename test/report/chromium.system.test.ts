// -o svg and -o html as a person sees them: drawn by a real headless Chromium (Debian's package), the
// screenshot's pixels and the loaded DOM checked. Needs `chromium`: a system test.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderReport } from '../../src/report/render.ts';
import { MARK_COLOURS } from '../../src/report/svg.ts';
import { dumpDom, screenshot } from '../helpers/chromium.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { gridReport } from './fixtures.ts';

/** The lab's expectations judged against no policy at all: apache → redis (case 2) is allowed, a mismatch. */
function labPicture(format: 'svg' | 'html'): string {
  const run = spawnSync(
    requireBinary(),
    ['simulate', '--test', 'policies/expectations.yaml', '-f', 'k8s', '-o', format],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (run.status !== 1) throw new Error(`simulate exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** Where the cell `from → to` is drawn, read from the picture itself. */
function cellAt(svg: string, from: string, to: string): { x: number; y: number } {
  const match = new RegExp(`<rect class="[^"]+" x="(\\d+)" y="(\\d+)"[^>]*><title>${from} → ${to}: `).exec(svg);
  if (!match) throw new Error(`no cell ${from} → ${to} in the picture`);
  return { x: Number(match[1]), y: Number(match[2]) };
}

const size = (svg: string): [number, number] => {
  const [, width, height] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!;
  return [Number(width), Number(height)];
};

/** Colours compared channel by channel, allowing for rounding in the renderer. */
function near(actual: string, expected: string): boolean {
  const channels = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  const [a, e] = [channels(actual), channels(expected)];
  return a.every((v, i) => Math.abs(v - e[i]!) <= 6);
}

t.test('svg: Chromium draws the mismatch in its colour, the passes in theirs', async (t) => {
  const svg = labPicture('svg');
  const file = join(tempDir(t, 'svg'), 'matrix.svg');
  writeFileSync(file, svg);
  const pixels = screenshot(t, file, ...size(svg));
  const inside = (cell: { x: number; y: number }) => pixels.hex(cell.x + 3, cell.y + 3);
  const mismatch = inside(cellAt(svg, 'apache', 'redis'));
  t.ok(near(mismatch, MARK_COLOURS.A!), `apache → redis (case 2) is drawn ${mismatch}, the mismatch colour`);
  const pass = inside(cellAt(svg, 'app', 'redis'));
  t.ok(near(pass, MARK_COLOURS['✓']!), `app → redis is drawn ${pass}, allowed as expected`);
  t.ok(near(pixels.hex(2, pixels.height - 2), '#ffffff'), 'a white background');
});

t.test('the pixel check fails on a broken picture', async (t) => {
  const svg = labPicture('svg');
  const broken = svg.replace('<style>', '<style>>').slice(0, svg.indexOf('apache → redis'));
  const file = join(tempDir(t, 'svg'), 'broken.svg');
  writeFileSync(file, broken);
  const pixels = screenshot(t, file, ...size(svg));
  const cell = cellAt(svg, 'apache', 'redis');
  t.notOk(near(pixels.hex(cell.x + 3, cell.y + 3), MARK_COLOURS.A!), 'Chromium shows no mismatch cell');
});

t.test('svg: a 60 × 60 matrix is drawn whole, its last cell included', async (t) => {
  const svg = renderReport(gridReport(60), 'svg', { color: false });
  const file = join(tempDir(t, 'svg'), 'big.svg');
  writeFileSync(file, svg);
  const pixels = screenshot(t, file, ...size(svg));
  const last = cellAt(svg, 'ns-5/app-59', 'ns-5/app-59');
  t.ok(near(pixels.hex(last.x + 3, last.y + 3), MARK_COLOURS.a!), 'the bottom-right cell');
  const mismatch = cellAt(svg, 'ns-0/app-3', 'ns-0/app-4');
  t.ok(near(pixels.hex(mismatch.x + 3, mismatch.y + 3), MARK_COLOURS.A!), 'the one mismatch');
});

t.test('html: Chromium loads the page with the picture, its tooltips and the problems table', async (t) => {
  const file = join(tempDir(t, 'html'), 'matrix.html');
  writeFileSync(file, labPicture('html'));
  const dom = dumpDom(t, file);
  t.match(dom, /<title>prober: lab-redis-isolation \(simulated\)<\/title>/);
  t.equal(dom.match(/<rect class="k\d+ [cp]" x="\d+" y="\d+" width="15" height="15"><title>/g)?.length, 16, '16 cells');
  t.match(dom, /<title>apache → redis: allow \(connected\) · case 2 · expected deny by case 2, observed allow/);
  t.equal(dom.match(/<tr><td class="m"/g)?.length, 3, 'three mismatches listed');
});

t.test('html: names from manifests stay text in the browser', async (t) => {
  const file = join(tempDir(t, 'html'), 'hostile.html');
  const hostile = 'ns/<img src=x onerror="document.title=1"><script>document.title=2</script>';
  writeFileSync(
    file,
    renderReport(
      gridReport(12, (i) => (i === 1 ? hostile : `ns/app-${i}`)),
      'html',
      { color: false },
    ),
  );
  const dom = dumpDom(t, file);
  t.notMatch(dom, /<img|<script/, 'no element made from a name');
  t.match(dom, /<title>prober: grid-12 \(simulated\)<\/title>/, 'the title was not rewritten');
  t.match(dom, /&lt;img src=x onerror=/, 'the name shown as text');
});
