// The compact table: one character per cell under numbered columns, sources and targets grouped by
// namespace, the columns split into bands that fit the terminal, the numbers explained below.

import type { ReportHead, ReportOutcome, StreamedReport } from '../model/report.ts';
import { escapeText } from './escape.ts';
import { DEFAULT_WIDTH, type RenderOptions } from './formats.ts';
import { textWidth } from './grid.ts';
import type { Mark } from './marks.ts';
import { scanReport } from './scan.ts';
import { type Paint, painter, TONE_STYLE, tableTail, titleLine } from './table-parts.ts';
import { counted } from './verdict-line.ts';

/** Row labels are never cut shorter than this; the columns are split into more bands instead. */
const MIN_LABEL = 20;
/** Marks under a column, and after a row, that holds a mismatch or an error: they show without colour. */
const ROW_FLAG = ' ◀ ';
const COLUMN_FLAG = '▲';

/** A Kubernetes namespace name (a DNS-1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `ns/name` → its namespace and the rest. Names that do not start with a namespace and a slash (`apache`,
 * a URL such as `tcp://10.0.0.1:80`) are in the group `''`.
 */
export function splitName(name: string): { readonly group: string; readonly short: string } {
  const slash = name.indexOf('/');
  const group = name.slice(0, slash);
  return slash > 0 && NAMESPACE.test(group) && slash < name.length - 1 && name[slash + 1] !== '/'
    ? { group, short: name.slice(slash + 1) }
    : { group: '', short: name };
}

/** Text cut to `width` terminal cells, keeping its start and its end (names differ at either). */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const chars = [...text];
  for (let keep = Math.min(chars.length, width) - 1; keep > 0; keep--) {
    const head = Math.ceil(keep / 2);
    const cut = `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
    if (textWidth(cut) <= width) return cut;
  }
  return '…';
}

const isProblem = (mark: Mark | undefined): boolean => mark?.tone === 'bad' || mark?.tone === 'warn';

/** Consecutive columns drawn together; a bar separates namespaces. */
interface Band {
  readonly start: number;
  readonly end: number;
}

/** Splits the columns greedily into bands at most `room` characters wide (bars included), cutting at a
 * namespace's start when one lies in the band's second half. */
function greedyBands(boundary: readonly boolean[], room: number): Band[] {
  const result: Band[] = [];
  let start = 0;
  let used = 2;
  let lastBoundary = -1;
  for (let i = 0; i < boundary.length; i++) {
    const cost = 1 + (i > start && boundary[i] ? 1 : 0);
    if (i > start && used + cost > room) {
      const cut = lastBoundary > start + (i - start) / 2 ? lastBoundary : i;
      result.push({ start, end: cut });
      start = cut;
      lastBoundary = -1;
      used = 2;
      i = cut - 1;
      continue;
    }
    if (i > start && boundary[i]) lastBoundary = i;
    used += cost;
  }
  if (boundary.length > 0) result.push({ start, end: boundary.length });
  return result;
}

/** As few bands as `room` allows, made about as wide as each other (no band of three columns at the end). */
export function bands(boundary: readonly boolean[], room: number): Band[] {
  const fewest = greedyBands(boundary, room);
  if (fewest.length <= 1) return fewest;
  for (let even = Math.ceil(boundary.length / fewest.length) + 2; even < room; even++) {
    const balanced = greedyBands(boundary, even);
    if (balanced.length <= fewest.length) return balanced;
  }
  return fewest;
}

/**
 * Renders the matrix one character per cell: `width` (default 120) decides how long row labels may
 * be and how many columns a band holds; marks for mismatches and errors are letters, and rows and
 * columns holding one are flagged with ◀ and ▲, so they stand out with colour or without.
 */
export function* compactChunks(report: StreamedReport, options: RenderOptions): Generator<string, ReportOutcome> {
  const paint = painter(options.color);
  const scan = scanReport(report, { listAll: options.listAll ?? false });
  const { head } = report;
  const width = options.width ?? DEFAULT_WIDTH;
  const targets = head.targets.map((t) => splitName(escapeText(t.name)));
  const boundary = targets.map((t, i) => i === 0 || t.group !== targets[i - 1]!.group);
  const digits = String(targets.length).length;
  const labels = rowLabels(head);
  const problemColumns = new Set<number>();
  for (const marks of scan.marks.values())
    for (const [i, mark] of marks.entries()) if (isProblem(mark)) problemColumns.add(i);
  const tailRoom = problemColumns.size > 0 ? ROW_FLAG.length + digits : 0;
  const gridTotal = targets.length + boundary.filter(Boolean).length + 1;
  const widest = Math.max(0, ...labels.map((l) => textWidth(l.text)));
  const room = width - 1 - tailRoom;
  const labelWidth = Math.min(widest, Math.max(MIN_LABEL, room - gridTotal));
  const split = bands(boundary, Math.max(10, room - labelWidth));

  yield titleLine(head);
  yield `${counted(head.sources.length, 'source')} × ${counted(targets.length, 'target')}, one mark per cell; columns are numbered and named below\n`;
  const pad = (plain: string, shown = plain): string =>
    `${shown}${' '.repeat(Math.max(0, labelWidth - textWidth(plain)))} `;
  for (const [b, band] of split.entries()) {
    const line = (charAt: (i: number) => string): string => {
      let text = paint('grey', '│');
      for (let i = band.start; i < band.end; i++) {
        if (i > band.start && boundary[i]) text += paint('grey', '│');
        text += charAt(i);
      }
      return text + paint('grey', '│');
    };
    if (split.length > 1) yield `${b > 0 ? '\n' : ''}columns ${band.start + 1}–${band.end}:\n`;
    for (let d = 0; d < digits; d++) {
      yield `${pad('')}${line((i) => paint('cyan', String(i + 1).padStart(digits)[d]!))}\n`;
    }
    for (const label of labels) {
      if (label.source === undefined) {
        const text = truncate(label.text, labelWidth);
        yield `${pad(text, paint('cyan', text))}${line(() => ' ')}\n`;
        continue;
      }
      const marks = scan.marks.get(head.sources[label.source]!.name);
      let problems = 0;
      const row = line((i) => {
        const mark = marks?.[i];
        if (!mark) return ' ';
        if (isProblem(mark)) problems++;
        return paint(TONE_STYLE[mark.tone], mark.char);
      });
      const flag = problems > 0 ? paint(['red', 'bold'], `${ROW_FLAG}${problems}`) : '';
      yield `${pad(
        rowText(label.text, labelWidth, (_, text) => text),
        rowText(label.text, labelWidth, paint),
      )}${row}${flag}\n`;
    }
    if ([...problemColumns].some((i) => i >= band.start && i < band.end))
      yield `${pad('')}${line((i) => (problemColumns.has(i) ? paint(['red', 'bold'], COLUMN_FLAG) : ' '))}\n`;
  }
  yield '\n';
  yield* columnLegend(targets, width, paint);
  yield* tableTail(head, scan, options.listAll ?? false, paint, width);
  return { counts: scan.counts, exitCode: scan.exitCode };
}

/** A row label (`source` is the source's index) or a namespace heading (`source` undefined). */
interface Label {
  readonly text: string;
  readonly source?: number;
}

/** Sources as rows, a heading where the namespace changes and the source's name without it below. */
function rowLabels(head: ReportHead): Label[] {
  const labels: Label[] = [];
  let group: string | undefined;
  for (const [i, source] of head.sources.entries()) {
    const name = splitName(escapeText(source.name));
    if (name.group !== '' && name.group !== group) labels.push({ text: `${name.group}/` });
    group = name.group;
    const text = name.group === '' ? name.short : `  ${name.short}`;
    labels.push({ text: source.error ? `${text} (!)` : text, source: i });
  }
  return labels;
}

/** A row label cut to the width, its error flag kept and coloured. */
function rowText(text: string, width: number, paint: Paint): string {
  if (!text.endsWith(' (!)')) return truncate(text, width);
  return `${truncate(text.slice(0, -4), width - 4)} ${paint('yellow', '(!)')}`;
}

/** The column numbers with their full names, grouped by namespace, as many to a line as fit. */
function* columnLegend(
  targets: readonly { readonly group: string; readonly short: string }[],
  width: number,
  paint: Paint,
): Generator<string> {
  const digits = String(targets.length).length;
  const entries = targets.map((t, i) => `${String(i + 1).padStart(digits)} ${t.short}`);
  const entryWidth = Math.min(width - 2, Math.max(0, ...entries.map(textWidth)));
  const perLine = Math.max(1, Math.floor(width / (entryWidth + 2)));
  let start = 0;
  while (start < targets.length) {
    const group = targets[start]!.group;
    let end = start;
    while (end < targets.length && targets[end]!.group === group) end++;
    yield group === '' ? `${paint('cyan', 'columns')}\n` : `${paint('cyan', `${group}/`)}\n`;
    for (let i = start; i < end; i += perLine) {
      const line = entries
        .slice(i, Math.min(end, i + perLine))
        .map((e) => e + ' '.repeat(Math.max(0, entryWidth - textWidth(e))));
      yield `  ${line.join('  ').trimEnd()}\n`;
    }
    start = end;
  }
}
