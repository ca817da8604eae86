// The table a person reads at a glance: sources down, targets across, one mark per cell, problems listed below.
// Wide (a box per cell, every name in the head) when it fits the terminal, else compact (compact.ts).

import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import { compactChunks } from './compact.ts';
import { escapeText } from './escape.ts';
import { DEFAULT_WIDTH, type RenderOptions } from './formats.ts';
import { type GridEntry, type GridPaint, gridLines, gridWidth, textWidth } from './grid.ts';
import type { Mark } from './marks.ts';
import { scanReport } from './scan.ts';
import { painter, TONE_STYLE, tableTail, titleLine } from './table-parts.ts';

const CORNER = 'from \\ to';
const ERROR_FLAG = ' (!)';

/**
 * Characters per line of the wide matrix for these source and target names: what decides whether it
 * can be read on a terminal at all.
 */
export function tableWidth(sources: readonly string[], targets: readonly string[]): number {
  const first = Math.max(textWidth(CORNER), ...sources.map((name) => textWidth(escapeText(name)) + ERROR_FLAG.length));
  return gridWidth([first, ...targets.map((name) => Math.max(1, textWidth(escapeText(name))))]);
}

/** Whether the table is drawn wide or compact: as asked, or wide exactly when it fits the width. */
export function tableStyleOf(
  sources: readonly string[],
  targets: readonly string[],
  options: Pick<RenderOptions, 'table' | 'width'>,
): 'wide' | 'compact' {
  const style = options.table ?? 'auto';
  if (style !== 'auto') return style;
  return tableWidth(sources, targets) <= (options.width ?? DEFAULT_WIDTH) ? 'wide' : 'compact';
}

/**
 * Renders the matrix, a legend, the cells needing attention and the summary line, as chunks of
 * text. Cells are gone over once, for their marks, the counts and the cells to list; the rows are
 * then drawn from the marks.
 */
export function* tableChunks(report: StreamedReport, options: RenderOptions): Generator<string, ReportOutcome> {
  const { head } = report;
  const style = tableStyleOf(
    head.sources.map((s) => s.name),
    head.targets.map((t) => t.name),
    options,
  );
  if (style === 'compact') return yield* compactChunks(report, options);
  const paint = painter(options.color);
  const scan = scanReport(report, { listAll: options.listAll ?? false });
  yield titleLine(head);

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
  yield* tableTail(head, scan, options.listAll ?? false, paint);
  return { counts: scan.counts, exitCode: scan.exitCode };
}
