// The matrix as one picture: an SVG heatmap of sources × targets with a legend, rotated target names,
// a tooltip (<title>) per cell, and mismatches and errors outlined and lettered so they stand out.

import type { Cell } from '../model/matrix.ts';
import type { ReportHead, ReportOutcome, StreamedReport } from '../model/report.ts';
import { checksSummary } from './checks.ts';
import { splitName, truncate } from './compact.ts';
import { escapeText, xmlText } from './escape.ts';
import { causeText, legendFor, type Mark, markOf, observedText } from './marks.ts';
import { type Scan, scanReport } from './scan.ts';
import { summaryLine } from './verdict-line.ts';

/** Fill colour of each mark, by its character. */
export const MARK_COLOURS: Readonly<Record<string, string>> = {
  '✓': '#43a047',
  '✗': '#546e7a',
  A: '#e53935',
  D: '#d81b60',
  '!': '#fb8c00',
  a: '#a5d6a7',
  d: '#cfd8dc',
  '·': '#ffffff',
  '+': '#43a047',
  '-': '#546e7a',
};

/** Pixels: a cell's pitch, the gap between namespaces, the advance of one monospace character. */
const CELL = 16;
const GAP = 5;
const CHAR = 7.3;
/** Names longer than this many characters are cut in the picture (the tooltip keeps them whole). */
const MAX_NAME = 60;
const TOP = 64;

const isProblem = (mark: Mark): boolean => mark.tone === 'bad' || mark.tone === 'warn';
const classOf = (mark: Mark): string => `k${Object.keys(MARK_COLOURS).indexOf(mark.char)}`;

/** Positions of columns or rows: a cell pitch each, a gap where the namespace changes. */
function offsets(names: readonly string[]): number[] {
  let gaps = 0;
  return names.map((name, i) => {
    if (i > 0 && splitName(name).group !== splitName(names[i - 1]!).group) gaps++;
    return i * CELL + gaps * GAP;
  });
}

const STYLE = [
  'text{font:12px "DejaVu Sans Mono",monospace;fill:#212121}',
  '.t{font-weight:bold;font-size:14px}',
  '.c{stroke:#ffffff;stroke-width:1}',
  '.p{stroke:#000000;stroke-width:1.5}',
  '.g{font-size:10px;font-weight:bold;fill:#ffffff;text-anchor:middle;pointer-events:none}',
  ...Object.values(MARK_COLOURS).map((colour, i) => `.k${i}{fill:${colour}}`),
].join('');

/** The layout of the picture, from the report's head alone. */
function layout(head: ReportHead) {
  const sources = head.sources.map((s) => s.name);
  const targets = head.targets.map((t) => t.name);
  const width = (names: readonly string[]): number =>
    Math.ceil(Math.min(MAX_NAME, Math.max(4, ...names.map((n) => [...escapeText(n)].length))) * CHAR) + 12;
  const left = width(sources);
  const top = TOP + width(targets);
  const xs = offsets(targets).map((x) => left + x);
  const ys = offsets(sources).map((y) => top + y);
  const right = (xs.at(-1) ?? left) + CELL + 12;
  const bottom = (ys.at(-1) ?? top) + CELL + 12;
  return { left, top, xs, ys, width: right, height: bottom };
}

/** The cell's tooltip: who to whom, what was observed, why. */
function tooltip(cell: Cell): string {
  const rule = cell.rule ? ` · ${cell.rule}` : '';
  const cause = cell.cause ? ` · ${causeText(cell)}` : '';
  return xmlText(`${cell.from} → ${cell.to}: ${observedText(cell)}${rule} · ${cell.explanation}${cause}`);
}

/**
 * The SVG document as chunks: counted in a first pass over the cells (legend and summary head the
 * picture), then drawn row by row in a second, so no cell is kept.
 */
export function* svgChunks(report: StreamedReport, scan: Scan = scanReport(report)): Generator<string, ReportOutcome> {
  const { head } = report;
  const box = layout(head);
  const summary = summaryLine(scan.counts, scan.exitCode, checksSummary(head));
  const legend = legendFor(scan.used);
  const legendWidth = legend.reduce((sum, mark) => sum + CELL + 12 + Math.ceil(mark.meaning.length * CHAR), 8);
  const width = Math.max(box.width, Math.ceil(summary.length * CHAR) + 16, legendWidth + 8);
  const name = (text: string): string => xmlText(truncate(escapeText(text), MAX_NAME));
  yield `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${box.height}" viewBox="0 0 ${width} ${box.height}" role="img">\n`;
  yield `<style>${STYLE}</style>\n<rect width="100%" height="100%" fill="#ffffff"/>\n`;
  const context = head.metadata.context ? `: ${head.metadata.context}` : '';
  yield `<text class="t" x="8" y="18">${xmlText(`${head.metadata.test} (${head.metadata.backend}${context})`)}</text>\n`;
  yield `<text x="8" y="36">${xmlText(summary)}</text>\n`;
  let x = 8;
  for (const mark of legend) {
    yield `<rect class="${classOf(mark)} c${isProblem(mark) ? ' p' : ''}" x="${x}" y="44" width="${CELL - 1}" height="${CELL - 1}"/>`;
    if (isProblem(mark)) yield `<text class="g" x="${x + CELL / 2}" y="${44 + CELL - 4}">${xmlText(mark.char)}</text>`;
    yield `<text x="${x + CELL + 4}" y="${44 + CELL - 4}">${xmlText(mark.meaning)}</text>\n`;
    x += CELL + 12 + Math.ceil(mark.meaning.length * CHAR);
  }
  for (const [i, target] of head.targets.entries()) {
    const cx = box.xs[i]! + CELL / 2 + 4;
    yield `<text x="${cx}" y="${box.top - 6}" transform="rotate(-90 ${cx} ${box.top - 6})">${name(target.name)}<title>${xmlText(`${target.name}: ${target.url}`)}</title></text>\n`;
  }
  const rowOf = new Map(head.sources.map((s, i) => [s.name, i]));
  const columnOf = new Map(head.targets.map((t, i) => [t.name, i]));
  for (const [i, source] of head.sources.entries()) {
    const flag = source.error ? ` (!)` : '';
    yield `<text x="${box.left - 6}" y="${box.ys[i]! + CELL - 4}" text-anchor="end">${name(source.name)}${flag}<title>${xmlText(source.error ? `${source.name}: ${source.error}` : source.name)}</title></text>\n`;
  }
  for (const row of report.rows()) {
    let text = '';
    for (const cell of row) {
      const r = rowOf.get(cell.from);
      const c = columnOf.get(cell.to);
      if (r === undefined || c === undefined) continue;
      const mark = markOf(cell);
      const cx = box.xs[c]!;
      const cy = box.ys[r]!;
      const problem = isProblem(mark);
      text += `<rect class="${classOf(mark)} ${problem ? 'p' : 'c'}" x="${cx}" y="${cy}" width="${CELL - 1}" height="${CELL - 1}"><title>${tooltip(cell)}</title></rect>`;
      if (problem) text += `<text class="g" x="${cx + CELL / 2}" y="${cy + CELL - 4}">${xmlText(mark.char)}</text>`;
    }
    yield `${text}\n`;
  }
  yield '</svg>\n';
  return { counts: scan.counts, exitCode: scan.exitCode };
}
