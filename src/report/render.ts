// Picks the renderer for an output format; the only entry the CLI uses to print reports.

import type { Report } from '../model/report.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderTable } from './table.ts';

import type { OutputFormat } from './formats.ts';

/** Renders a report in the chosen format; colour applies to the table on a terminal only. */
export function renderReport(report: Report, format: OutputFormat, options: { color: boolean; listAll?: boolean }): string {
  switch (format) {
    case 'table':
      return renderTable(report, options);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}
