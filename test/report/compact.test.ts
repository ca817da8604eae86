// The compact table: one character per cell under numbered columns, chosen when the wide table would not fit.

import t from 'tap';
import { bands, splitName, truncate } from '../../src/report/compact.ts';
import { textWidth } from '../../src/report/grid.ts';
import { renderReport } from '../../src/report/render.ts';
import { tableStyleOf } from '../../src/report/table.ts';
import { GRID_SPECIAL, gridReport, sampleReport } from './fixtures.ts';

const widest = (text: string): number => Math.max(...text.split('\n').map(textWidth));
const marksOf = (row: string): string =>
  row
    .replace(/ ◀ \d+$/, '')
    .replace(/^[^│]*/, '')
    .replace(/│/g, '');
const rowOf = (text: string, label: string): string => text.split('\n').find((l) => l.startsWith(`  ${label} `))!;

t.test('auto: wide while it fits the width, compact beyond', async (t) => {
  const report = sampleReport();
  t.match(renderReport(report, 'table', { color: false, width: 120 }), /│ from \\ to/, 'wide at 120');
  t.notMatch(renderReport(report, 'table', { color: false, width: 30 }), /from \\ to/, 'compact at 30');
  const wide = Array.from({ length: 9 }, (_, i) => `a-long-namespace/a-long-workload-name-${i}:8080`);
  t.equal(tableStyleOf(wide, wide, {}), 'compact', '9 long names do not fit the default 120');
  t.equal(tableStyleOf(wide, wide, { width: 1000 }), 'wide');
  t.equal(tableStyleOf(wide, wide, { table: 'wide' }), 'wide', 'asked for by name');
  t.equal(tableStyleOf(['a'], ['b'], { table: 'compact' }), 'compact');
});

t.test('a mismatch and errors are letters, and their rows and columns are flagged without colour', async (t) => {
  const text = renderReport(sampleReport(), 'table', { color: false, table: 'compact' });
  t.notMatch(text, /\u001b\[/, 'no escape codes');
  t.match(text, /^apache +│✓A!│ ◀ 2$/m, 'apache: pass, mismatch, error, two problems');
  t.match(text, /^ingress +│d✗!│ ◀ 1$/m);
  t.match(text, /^ +│ ▲▲│$/m, 'columns 2 and 3 hold problems');
  t.match(text, /^ {2}1 app {4}2 redis {2}3 web$/m, 'the column legend');
  t.match(text, /A apache → redis \(case 2\): expected deny by case 2, observed allow \(pong\)/, 'problems listed');
  t.match(text, /9 cells: 3 pass, 1 fail, 3 error, 2 unchecked — exit 2/);
  const colour = renderReport(sampleReport(), 'table', { color: true, table: 'compact' });
  t.match(colour, /\u001b\[7mA/, 'inverse video for the mismatch on a terminal');
});

t.test('50 × 50 fits 120 columns in one band, grouped by namespace', async (t) => {
  const text = renderReport(gridReport(50), 'table', { color: false, width: 120 });
  t.ok(widest(text) <= 120, `at most 120 wide (${widest(text)})`);
  t.notMatch(text, /^columns \d+–\d+:$/m, 'one band');
  t.match(text, /^ +│ {9}1│1111111112│2222222223│3333333334│4444444445│$/m, 'column numbers, a bar per namespace');
  t.match(text, /^ns-0\/ +│/m, 'a namespace heading');
  const [from, to] = GRID_SPECIAL.mismatch;
  const row = rowOf(text, `app-${from}`);
  t.equal(marksOf(row)[to!], 'A', 'the mismatch where it belongs');
  t.match(row, / ◀ 1$/);
  t.match(rowOf(text, `app-${GRID_SPECIAL.error[0]}`), /!.* ◀ 1$/);
  t.match(text, /^ns-4\/\n {2}41 app-40 +42 app-41 /m, 'targets named below, by namespace');
});

t.test('200 × 200 at 120 columns: even bands, every cell once, every line within the width', async (t) => {
  const text = renderReport(gridReport(200), 'table', { color: false, width: 120 });
  t.ok(widest(text) <= 120, `at most 120 wide (${widest(text)})`);
  const heads = [...text.matchAll(/^columns (\d+)–(\d+):$/gm)].map((m) => Number(m[2]) - Number(m[1]) + 1);
  t.ok(heads.length >= 2, `${heads.length} bands`);
  t.equal(
    heads.reduce((a, b) => a + b, 0),
    200,
  );
  t.ok(Math.min(...heads) >= Math.max(...heads) / 2, `bands of similar width (${heads.join(', ')})`);
  const marks = text
    .split('\n')
    .filter((l) => l.startsWith('  app-'))
    .map((l) =>
      l
        .replace(/ ◀ \d+$/, '')
        .replace(/^[^│]*/, '')
        .replace(/│/g, ''),
    )
    .join('');
  t.equal(marks.length, 200 * 200, 'one character per cell');
  t.equal(marks.replace(/[^A]/g, '').length, 1, 'one mismatch');
});

t.test('long names are cut keeping both ends; bands never split a namespace when avoidable', async (t) => {
  t.equal(truncate('abcdefghijklmnop', 9), 'abcd…mnop');
  t.equal(truncate('short', 9), 'short');
  t.equal(textWidth(truncate('名前名前名前名前', 7)) <= 7, true, 'wide characters counted twice');
  t.same(splitName('ns/app:80'), { group: 'ns', short: 'app:80' });
  t.same(splitName('plain'), { group: '', short: 'plain' });
  t.same(splitName('tcp://10.0.0.1:80'), { group: '', short: 'tcp://10.0.0.1:80' }, 'a URL is not grouped');
  t.same(splitName('Not_A_Namespace/x'), { group: '', short: 'Not_A_Namespace/x' });
  const boundary = Array.from({ length: 40 }, (_, i) => i % 10 === 0);
  t.same(bands(boundary, 30), [
    { start: 0, end: 20 },
    { start: 20, end: 40 },
  ]);
  const long = (i: number) => `namespace-with-a-long-name/workload-with-a-very-long-name-${i}`;
  const text = renderReport(gridReport(60, long), 'table', { color: false, width: 100 });
  t.ok(widest(text.split('\nnamespace-with')[0]!) <= 100, 'the grid holds 100 columns');
  t.match(text, /^ {2}workload-with-…ery-long-name-3 +│/m, 'row label cut, its end kept');
  t.match(text, / 4 workload-with-a-very-long-name-3\b/, 'full names in the column legend');
});

t.test('names from manifests are escaped in the compact table', async (t) => {
  const text = renderReport(
    gridReport(12, (i) => (i === 1 ? 'ns/evil\u001b[2J' : `ns/app-${i}`)),
    'table',
    {
      color: false,
      table: 'compact',
    },
  );
  t.notMatch(text, /\u001b/);
  t.match(text, /evil\\x1b\[2J/);
});
