// Picks the renderer for an output format; the entries the CLI uses to print reports.

import { type Report, type ReportOutcome, type StreamedReport, streamOf } from '../model/report.ts';
import type { OutputFormat, RenderOptions } from './formats.ts';
import { htmlChunks } from './html.ts';
import { jsonChunks } from './json.ts';
import { junitChunks } from './junit.ts';
import { markdownChunks } from './markdown.ts';
import { svgChunks } from './svg.ts';
import { tableChunks } from './table.ts';

/**
 * The report in the chosen format as a sequence of text chunks, produced as they are asked for;
 * what it returns at the end is the counts and the exit code.
 */
export function renderChunks(
  report: StreamedReport,
  format: OutputFormat,
  options: RenderOptions,
): Generator<string, ReportOutcome> {
  switch (format) {
    case 'table':
      return tableChunks(report, options);
    case 'json':
      return jsonChunks(report);
    case 'junit':
      return junitChunks(report);
    case 'markdown':
      return markdownChunks(report);
    case 'svg':
      return svgChunks(report);
    case 'html':
      return htmlChunks(report);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}

/** Renders an in-memory report as one string (small reports and tests; the CLI streams). */
export function renderReport(report: Report, format: OutputFormat, options: RenderOptions): string {
  const chunks: string[] = [];
  const rendering = renderChunks(streamOf(report), format, options);
  for (let next = rendering.next(); !next.done; next = rendering.next()) chunks.push(next.value);
  return chunks.join('');
}
