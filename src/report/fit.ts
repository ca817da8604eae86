// Whether a format can hold a matrix of a given size, decided before anything is probed or computed.

import type { OutputFormat } from './formats.ts';
import { tableWidth } from './table.ts';

/** Characters per line beyond which no terminal shows a table (a 4K screen at a small font shows about 500). */
export const MAX_TABLE_WIDTH = 1000;

/** GitHub's limit for one step's job summary, what the Markdown report is for. */
export const MAX_MARKDOWN_BYTES = 1024 * 1024;

const count = (n: number): string => n.toLocaleString('en-US');

/** Bytes of the Markdown matrix: a header, then `| **source** | m | m |` per source (marks take up to 3 bytes). */
function markdownBytes(sources: readonly string[], targets: readonly string[]): number {
  const bytes = (text: string): number => Buffer.byteLength(text) + 3;
  const header = targets.reduce((sum, name) => sum + bytes(name) + 4, 16);
  return sources.reduce((sum, name) => sum + bytes(name) + 8 + targets.length * 6, header);
}

/**
 * Why `format` cannot hold a matrix of these sources and targets, with the format to use instead;
 * undefined when it can. JSON and JUnit are written cell by cell and hold any size.
 */
export function formatProblem(
  format: OutputFormat,
  sources: readonly string[],
  targets: readonly string[],
): string | undefined {
  if (format === 'table') {
    const width = tableWidth(sources, targets);
    if (width <= MAX_TABLE_WIDTH) return undefined;
    return `-o table: the matrix (${count(sources.length)} sources × ${count(targets.length)} targets) would be ${count(width)} characters wide, wider than any terminal (at most ${count(MAX_TABLE_WIDTH)}): use -o json or -o junit, or fewer targets`;
  }
  if (format === 'markdown') {
    const size = markdownBytes(sources, targets);
    if (size <= MAX_MARKDOWN_BYTES) return undefined;
    return `-o markdown: the matrix (${count(sources.length)} sources × ${count(targets.length)} targets) would take ${count(Math.ceil(size / 1024))} KiB, more than a CI job summary holds (1 MiB): use -o json or -o junit, or fewer targets`;
  }
  return undefined;
}
