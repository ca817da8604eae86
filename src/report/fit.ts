// Whether a format can hold a matrix of a given size, decided before anything is probed or computed.

import { markdownText } from './escape.ts';
import type { OutputFormat, RenderOptions } from './formats.ts';
import { tableStyleOf, tableWidth } from './table.ts';

/** Characters per line beyond which no terminal shows a wide table (a 4K screen at a small font shows about 500). */
const MAX_TABLE_WIDTH = 1000;

/** Cells beyond which a picture is more than a browser draws in reasonable time (500 × 500). */
const MAX_PICTURE_CELLS = 250_000;

/** GitHub's limit for one step's job summary, what the Markdown report is for. */
const MAX_MARKDOWN_BYTES = 1024 * 1024;

const count = (n: number): string => n.toLocaleString('en-US');

/** Bytes of the Markdown matrix: a header, then `| **source** | m | m |` per source (marks take up to 3 bytes), names escaped. */
function markdownBytes(sources: readonly string[], targets: readonly string[]): number {
  const bytes = (text: string): number => Buffer.byteLength(markdownText(text)) + 3;
  const header = targets.reduce((sum, name) => sum + bytes(name) + 4, 16);
  return sources.reduce((sum, name) => sum + bytes(name) + 8 + targets.length * 6, header);
}

/**
 * Why `format` cannot hold a matrix of these sources and targets, with the format to use instead;
 * undefined when it can. JSON and JUnit are written cell by cell and hold any size, and so does the compact
 * table; the wide table is refused only when asked for by name.
 */
export function formatProblem(
  format: OutputFormat,
  sources: readonly string[],
  targets: readonly string[],
  options: Pick<RenderOptions, 'table' | 'width'> = {},
): string | undefined {
  if (format === 'table') {
    // The compact table splits its columns into bands as wide as the terminal: it holds any matrix.
    if (tableStyleOf(sources, targets, options) === 'compact') return undefined;
    const width = tableWidth(sources, targets);
    if (width <= MAX_TABLE_WIDTH) return undefined;
    return `-o table --table wide: the matrix (${count(sources.length)} sources × ${count(targets.length)} targets) would be ${count(width)} characters wide, wider than any terminal (at most ${count(MAX_TABLE_WIDTH)}): use --table compact, -o svg, -o json or -o junit`;
  }
  if (format === 'svg' || format === 'html') {
    const cells = sources.length * targets.length;
    if (cells <= MAX_PICTURE_CELLS) return undefined;
    return `-o ${format}: the matrix (${count(sources.length)} sources × ${count(targets.length)} targets) has ${count(cells)} cells, more than a picture a browser draws (at most ${count(MAX_PICTURE_CELLS)}): use -o table, -o json or -o junit, or fewer targets`;
  }
  if (format === 'markdown') {
    const size = markdownBytes(sources, targets);
    if (size <= MAX_MARKDOWN_BYTES) return undefined;
    return `-o markdown: the matrix (${count(sources.length)} sources × ${count(targets.length)} targets) would take ${count(Math.ceil(size / 1024))} KiB, more than a CI job summary holds (1 MiB): use -o json or -o junit, or fewer targets`;
  }
  return undefined;
}
