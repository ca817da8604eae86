// The JSON report written cell by cell, one cell per line, in bounded memory however many cells there are.

import { type ReportOutcome, type StreamedReport, summaryOf, Tally } from '../model/report.ts';

/** `JSON.stringify(value, null, 2)` as it reads nested `depth` levels deep. */
function nested(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  return depth === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * Renders the report as JSON in chunks, one per cell. The head and summary are indented for people;
 * each cell is one compact line (a third less to write and parse than indented, and easy to grep).
 * Cells are gone over once: the summary and exit code follow them, counted on the way.
 */
export function* jsonChunks(report: StreamedReport): Generator<string, ReportOutcome> {
  const head = nested(report.head, 0);
  // The head's closing brace is replaced by the cells, the summary and the exit code.
  yield `${head.slice(0, head.lastIndexOf('\n}'))},\n  "cells": [`;
  const tally = new Tally();
  let first = true;
  for (const row of report.rows()) {
    for (const cell of row) {
      tally.add(cell);
      yield `${first ? '' : ','}\n    ${JSON.stringify(cell)}`;
      first = false;
    }
  }
  const counts = tally.result();
  const exitCode = report.exitCode(counts);
  yield `${first ? ']' : '\n  ]'},\n  "summary": ${nested(summaryOf(counts), 1)},\n  "exitCode": ${exitCode}\n}\n`;
  return { counts, exitCode };
}
