// Picks the renderer for an output format; the only entry the CLI uses to print reports.

import type { Report } from '../model/report.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderTable } from './table.ts';

/** Output formats every command that prints a matrix accepts. */
export const OUTPUT_FORMATS = ['table', 'json', 'junit', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
