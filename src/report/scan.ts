// The first pass of the text renderers over a streamed report: one mark per cell, the cells to list, the counts.

import type { Cell } from '../model/matrix.ts';
import { type Counts, type ExitCode, type StreamedReport, Tally } from '../model/report.ts';
import { type Mark, markOf } from './marks.ts';

/** What a text renderer needs before it writes its first line. */
export interface Scan {
  /** Each source's marks, one per target in the head's order; `undefined` where no cell was reported. */
  readonly marks: ReadonlyMap<string, readonly (Mark | undefined)[]>;
  /** The marks that appear, for the legend. */
  readonly used: ReadonlySet<Mark>;
  /**
   * Cells to list under the matrix: mismatches then errors (unchecked ones too: a `!` always has its
   * reason somewhere), or every cell with `listAll`.
   */
  readonly listed: readonly Cell[];
  /** Cells that would have been listed beyond `maxListed`. */
  readonly unlisted: number;
  readonly counts: Counts;
  readonly exitCode: ExitCode;
}

/**
 * Goes over every cell once, keeping one mark per cell (a reference, not the cell) and only the
 * cells to list, at most `maxListed` of them.
 */
export function scanReport(report: StreamedReport, options: { listAll?: boolean; maxListed?: number } = {}): Scan {
  const column = new Map(report.head.targets.map((t, i) => [t.name, i]));
  const marks = new Map<string, (Mark | undefined)[]>();
  const used = new Set<Mark>();
  const tally = new Tally();
  const max = options.maxListed ?? Number.POSITIVE_INFINITY;
  const fails: Cell[] = [];
  const errors: Cell[] = [];
  let wanted = 0;
  for (const row of report.rows()) {
    for (const cell of row) {
      tally.add(cell);
      const mark = markOf(cell);
      used.add(mark);
      const index = column.get(cell.to);
      if (index !== undefined) {
        let line = marks.get(cell.from);
        if (!line) {
          line = new Array<Mark | undefined>(report.head.targets.length);
          marks.set(cell.from, line);
        }
        line[index] = mark;
      }
      const list = options.listAll
        ? fails
        : cell.result === 'fail'
          ? fails
          : cell.result === 'error' || (cell.result === 'unchecked' && cell.observed === 'error')
            ? errors
            : undefined;
      if (!list) continue;
      wanted++;
      if (list.length < max) list.push(cell);
    }
  }
  const counts = tally.result();
  const listed = [...fails, ...errors].slice(0, max);
  return { marks, used, listed, unlisted: wanted - listed.length, counts, exitCode: report.exitCode(counts) };
}
