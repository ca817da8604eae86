// The table a person reads at a glance: sources down, targets across, one mark per cell, problems listed below.

import { styleText } from 'node:util';
import type { Cell } from '../model/matrix.ts';
import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import { escapeText } from './escape.ts';
import { gridLines, gridWidth, textWidth, type GridEntry, type GridPaint } from './grid.ts';
import { cellName, legendFor, markOf, observedText, type Mark } from './marks.ts';
import type { RenderOptions } from './formats.ts';
import { scanReport } from './scan.ts';
import { summaryLine } from './verdict-line.ts';

type Style = Parameters<typeof styleText>[0];

const TONE_STYLE: Readonly<Record<Mark['tone'], Style>> = {
  good: 'green',
  bad: ['red', 'bold', 'inverse'],
  warn: ['yellow', 'bold'],
  dim: 'dim',
};

const CORNER = 'from \\ to';
const ERROR_FLAG = ' (!)';

/**
 * Characters per line of the matrix for these source and target names: what decides whether a
 * table can be read on a terminal at all.
 */
export function tableWidth(sources: readonly string[], targets: readonly string[]): number {
  const first = Math.max(textWidth(CORNER), ...sources.map((name) => textWidth(escapeText(name)) + ERROR_FLAG.length));
  return gridWidth([first, ...targets.map((name) => Math.max(1, textWidth(escapeText(name))))]);
}

/**
 * Renders the matrix, a legend, the cells needing attention and the summary line, as chunks of
 * text. Cells are gone over once, for their marks, the counts and the cells to list; the rows are
 * then drawn from the marks.
 */
export function* tableChunks(report: StreamedReport, options: RenderOptions): Generator<string, ReportOutcome> {
  const paint = (style: Style, text: string): string =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const scan = scanReport(report, { listAll: options.listAll ?? false });
  const { head } = report;
  const context = head.metadata.context ? `: ${head.metadata.context}` : '';
  yield `${escapeText(`${head.metadata.test} (${head.metadata.backend}${context})`)}\n`;

  const names = head.sources.map((s) => escapeText(s.name));
  const targets = head.targets.map((t) => escapeText(t.name));
  const first: GridEntry[] = head.sources.map((s, i) =>
    s.error
      ? { text: `${names[i]}${ERROR_FLAG}`, shown: `${names[i]} ${paint('yellow', '(!)')}` }
      : { text: names[i]! },
  );
  const columns = [
    { width: Math.max(textWidth(CORNER), ...first.map((e) => textWidth(e.text))), align: 'left' as const },
    ...targets.map((name) => ({ width: Math.max(1, textWidth(name)), align: 'center' as const })),
  ];
  const gridPaint: GridPaint = { border: (text) => paint('grey', text), head: (text) => paint('cyan', text) };
  const shown = new Map<Mark, GridEntry>();
  const entryOf = (mark: Mark | undefined): GridEntry => {
    if (!mark) return { text: ' ' };
    let entry = shown.get(mark);
    if (!entry) {
      entry = { text: mark.char, shown: paint(TONE_STYLE[mark.tone], mark.char) };
      shown.set(mark, entry);
    }
    return entry;
  };
  const rows = (function* () {
    for (const [i, source] of head.sources.entries()) {
      const marks = scan.marks.get(source.name);
      yield [first[i]!, ...targets.map((_, t) => entryOf(marks?.[t]))];
    }
  })();
  for (const line of gridLines(columns, [{ text: CORNER }, ...targets.map((text) => ({ text }))], rows, gridPaint))
    yield `${line}\n`;
  yield `${legendFor(scan.used)
    .map((mark) => `${paint(TONE_STYLE[mark.tone], mark.char)} ${mark.meaning}`)
    .join('   ')}\n`;

  if (scan.listed.length > 0) yield '\n';
  for (const cell of scan.listed) yield `${options.listAll ? cellLine(cell, paint) : problemLine(cell, paint)}\n`;
  for (const source of head.sources.filter((s) => s.error)) {
    yield `${paint('yellow', '!')} ${escapeText(`source ${source.name}: ${source.error}`)}\n`;
  }
  yield `\n${paint(scan.exitCode === 0 ? 'green' : scan.exitCode === 1 ? 'red' : 'yellow', summaryLine(scan.counts, scan.exitCode))}\n`;
  return { counts: scan.counts, exitCode: scan.exitCode };
}

function cellLine(cell: Cell, paint: (style: Style, text: string) => string): string {
  const mark = markOf(cell);
  const latency = cell.latencyMs === null ? '' : ` in ${cell.latencyMs} ms`;
  return `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cell.url}: ${observedText(cell)}${latency}${cell.detail ? ` · ${cell.detail}` : ''}`)}`;
}

function problemLine(cell: Cell, paint: (style: Style, text: string) => string): string {
  const mark = markOf(cell);
  const head = `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cellName(cell)}: ${cell.explanation}`)}`;
  const extra = [
    cell.url,
    cell.detail,
    cell.attempts > 1 ? `${cell.attempts} attempts` : undefined,
    observedText(cell),
  ].filter(Boolean);
  return `${head}\n    ${escapeText(extra.slice(0, 3).join(' · '))}`;
}
