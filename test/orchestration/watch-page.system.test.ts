// The live page of `prober watch` as a person sees it: served by the watch's server from real runs
// (the seed's expectations judged by the policy engine, with and then without its NetworkPolicy) and
// loaded by a real headless Chromium (Debian's package). The DOM: mismatched cells carry their class
// and the flip outline, a cell's detail shows its flip history; the page refreshes itself from
// /state.json; hostile names stay text. The screenshot: cells found by their colour. A 50 × 50 matrix
// is drawn whole within a 1280-pixel window. Needs `chromium`: a system test.

import t, { type Test } from 'tap';
import type { Report } from '../../src/model/report.ts';
import { CELL_PX, STATE_COLOURS } from '../../src/orchestration/watch-page.ts';
import { startMetricsServer } from '../../src/orchestration/watch-server.ts';
import { type PageState, WatchState } from '../../src/orchestration/watch-state.ts';
import { dumpUrlDom, screenshotUrl } from '../helpers/chromium.ts';
import { nearColour, type Region, regionsOf } from '../helpers/pixel-regions.ts';
import type { Pixels } from '../helpers/png.ts';
import { recorder, watchedState } from '../helpers/watch-runs.ts';
import { gridReport } from '../report/fixtures.ts';

const TEST = 'lab-redis-isolation';
const cellLink = (source: string, target: string, test = TEST) =>
  `#cell=${encodeURIComponent(JSON.stringify([test, source, target]))}`;

/** Serves `state()` (called once per request) as the watch does; returns the page's URL. */
async function serve(t: Test, state: () => PageState): Promise<string> {
  const server = await startMetricsServer(
    { host: '127.0.0.1', port: 0 },
    { metrics: async () => ({ contentType: 'text/plain', body: '' }), healthy: () => true, state },
  );
  t.teardown(() => server.close());
  return `http://127.0.0.1:${server.address.port}/`;
}

const count = (text: string, what: RegExp): number => text.match(what)?.length ?? 0;

/** Regions of `colour` the size of a cell (the legend's swatches are smaller, the verdict badge wider). */
const cellsOf = (pixels: Pixels, colour: string, min: number, max: number): Region[] =>
  regionsOf(pixels, colour).filter((r) => r.width >= min && r.width <= max && r.height >= min && r.height <= max);

t.test('DOM: the cells into Redis are mismatched and outlined; the detail shows the flip', async (t) => {
  const state = await watchedState([true, false]);
  const url = await serve(t, () => state.snapshot(Date.UTC(2026, 0, 1, 0, 2)));
  const dom = await dumpUrlDom(t, `${url}${cellLink('apache', 'redis')}`);
  t.equal(count(dom, /<td class="cell mismatched recent[ "]/g), 3, 'three mismatched cells, flipped lately');
  t.equal(count(dom, /<td class="cell matched"/g), 13, 'thirteen matched');
  t.match(
    dom,
    /<td class="cell mismatched recent selected" title="apache → redis: mismatched \(expected deny, observed allow\)"/,
  );
  const detail = /<aside id="detail">([\s\S]*?)<\/aside>/.exec(dom)?.[1] ?? '';
  t.match(detail, /<h3>apache → redis \(lab-redis-isolation\)<\/h3>/, 'the detail is open on the linked cell');
  t.match(detail, /<dd>deny by case 2<\/dd>/);
  t.match(detail, /<dd>written intent says deny, policy model says allow, observed allow \(connected\)<\/dd>/);
  t.match(
    detail,
    /<li>ingress to d-redis\/redis: no policy isolates it for ingress: allowed<\/li>/,
    'the model says why',
  );
  t.match(
    detail,
    /<tr class="flip"><td>2026-01-01T00:01:00.000Z<\/td><td>run 2<\/td><td>matched → mismatched<\/td><\/tr>/,
    'the flip, with its time and run',
  );
  const closed = await dumpUrlDom(t, url);
  t.match(closed, /<aside id="detail" hidden="">/, 'no cell linked: no detail');
});

t.test('the page refreshes itself from /state.json, without a reload', async (t) => {
  const [before, after] = [await watchedState([true]), await watchedState([true, false])];
  let requests = 0;
  // The page itself is drawn from the first state; every poll gets the second.
  const url = await serve(t, () => (requests++ === 0 ? before : after).snapshot(0));
  const first = await dumpUrlDom(t, url);
  t.equal(count(first, /<td class="cell mismatched/g), 0, 'as loaded: all matched');
  requests = 0;
  const polled = await dumpUrlDom(t, url, 3000);
  t.equal(count(polled, /<td class="cell mismatched recent[ "]/g), 3, 'after a poll: the flips are shown');
  t.match(polled, /<p id="status" class="">updated /);
  t.ok(requests >= 2, `the page asked again (${requests} requests)`);
});

t.test('hostile names are shown as text', async (t) => {
  const hostile = 'ns/<img src=x onerror="document.title=1"><script>document.title=2</script>';
  const report = gridReport(8, (i) => (i === 1 ? hostile : `ns/app-${i}`));
  const url = await serve(t, () => stateOf(report).snapshot(0));
  const dom = await dumpUrlDom(t, url, 2000);
  t.notMatch(dom, /<img|<script>document/, 'no element made from a name');
  t.match(dom, /<title>prober watch<\/title>/, 'the title was not rewritten');
  t.match(dom, /<th class="row" title="ns\/&lt;img src=x onerror=&quot;document.title=1&quot;&gt;/, 'the name as text');
});

/** A page state of one run of a report's cells. */
function stateOf(report: Report): WatchState {
  const name = report.metadata.test;
  const state = new WatchState([name], 1000);
  recorder(state, name, 1)([...report.cells], 0);
  return state;
}

/** A cell is drawn CELL_PX - 2 pixels square (its white border between); a flipped one keeps its colour inside a 2-pixel outline. */
const CELL = CELL_PX - 2;

t.test('screenshot: each cell in its colour, the flipped ones outlined', async (t) => {
  const state = await watchedState([true, false]);
  const pixels = await screenshotUrl(t, await serve(t, () => state.snapshot(0)), 1280, 900);
  const green = cellsOf(pixels, STATE_COLOURS.matched, CELL, CELL);
  t.equal(green.length, 13, 'thirteen matched cells drawn green');
  const red = cellsOf(pixels, STATE_COLOURS.mismatched, CELL - 4, CELL - 4);
  t.equal(red.length, 3, 'three mismatched cells drawn red inside an outline');
  for (const cell of red)
    t.ok(nearColour(pixels.hex(cell.left - 1, cell.top + 4), '#212121'), `outlined at ${cell.left},${cell.top}`);
  t.equal(new Set(red.map((r) => r.left)).size, 1, 'all in one column');
  t.ok(
    green.some((g) => g.left === (red[0]?.left ?? 0) - 2),
    'the column of the one matched cell into Redis (app → redis)',
  );
  t.equal(cellsOf(pixels, STATE_COLOURS.mismatched, CELL, CELL).length, 0, 'no mismatched cell without its outline');
});

t.test('a 50 × 50 matrix with long names is drawn whole within a 1280-pixel window', async (t) => {
  const long = (i: number) => `namespace-with-a-rather-long-name-${i}/a-workload-with-an-even-longer-name-${i}`;
  const report = gridReport(50, long);
  const pixels = await screenshotUrl(t, await serve(t, () => stateOf(report).snapshot(0)), 1280, 1500);
  const grey = cellsOf(pixels, STATE_COLOURS.unchecked, CELL, CELL);
  t.equal(grey.length, 50 * 50 - 2, 'every unchecked cell is on screen, whole');
  t.equal(cellsOf(pixels, STATE_COLOURS.mismatched, CELL, CELL).length, 1, 'the mismatch');
  t.equal(cellsOf(pixels, STATE_COLOURS.undecided, CELL, CELL).length, 1, 'the undecided cell');
  const right = Math.max(...grey.map((g) => g.left + g.width));
  const bottom = Math.max(...grey.map((g) => g.top + g.height));
  t.ok(right < 1280 - 12, `the last column ends at ${right}, inside the window`);
  t.ok(bottom < 1500, `the last row ends at ${bottom}`);
  t.equal(new Set(grey.map((g) => g.left)).size, 50, 'fifty columns side by side');
  t.equal(new Set(grey.map((g) => g.top)).size, 50, 'fifty rows');
});
