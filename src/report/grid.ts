// A box-drawn grid (┌─┬─┐) written line by line: cost linear in cells, as wide as its widest entries.

import stringWidth from 'string-width';

/** How one column is laid out. */
export interface GridColumn {
  /** Widest entry of the column, in terminal cells. */
  readonly width: number;
  readonly align: 'left' | 'center';
}

/** Colours for the grid's own parts; identity functions when colour is off. */
export interface GridPaint {
  readonly border: (text: string) => string;
  readonly head: (text: string) => string;
}

/** An entry: its plain text (measured) and, optionally, how it is shown (e.g. coloured). */
export interface GridEntry {
  readonly text: string;
  readonly shown?: string;
}

/** The width of text in terminal cells (wide CJK characters count two). */
export function textWidth(text: string): number {
  // Most names are ASCII: their width is their length.
  return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
}

/** Characters per line of a grid with these column widths (borders and one space of padding each side). */
export function gridWidth(widths: readonly number[]): number {
  return widths.reduce((sum, w) => sum + w + 3, 1);
}

function rule(columns: readonly GridColumn[], [left, join, right]: readonly [string, string, string]): string {
  return `${left}${columns.map((c) => '─'.repeat(c.width + 2)).join(join)}${right}`;
}

function line(
  columns: readonly GridColumn[],
  entries: readonly GridEntry[],
  paint: GridPaint,
  style: (text: string) => string,
): string {
  const bar = paint.border('│');
  const cells = columns.map((column, i) => {
    const entry = entries[i] ?? { text: '' };
    const room = column.width - textWidth(entry.text);
    // As the table library this replaces did: an odd space goes to the right.
    const left = column.align === 'center' ? room - Math.ceil(room / 2) : 0;
    return ` ${' '.repeat(left)}${style(entry.shown ?? entry.text)}${' '.repeat(room - left)} `;
  });
  return `${bar}${cells.join(bar)}${bar}`;
}

/**
 * The grid's lines: top border, head, then each row with a rule between rows, bottom border.
 * Rows are taken one at a time, so the caller can produce them lazily.
 */
export function* gridLines(
  columns: readonly GridColumn[],
  head: readonly GridEntry[],
  rows: Iterable<readonly GridEntry[]>,
  paint: GridPaint,
): Generator<string> {
  const between = paint.border(rule(columns, ['├', '┼', '┤']));
  yield paint.border(rule(columns, ['┌', '┬', '┐']));
  yield line(columns, head, paint, paint.head);
  for (const row of rows) {
    yield between;
    yield line(columns, row, paint, (text) => text);
  }
  yield paint.border(rule(columns, ['└', '┴', '┘']));
}
