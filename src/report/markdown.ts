// Markdown for CI job summaries: the same matrix and problems as the table, in GitHub-flavoured Markdown.

import type { Report } from '../model/report.ts';
import { escapeText } from './escape.ts';
import { cellName, legendFor, markOf, problemCells } from './marks.ts';
import { summaryLine } from './verdict-line.ts';

// Control characters first (shared with every text format), then the pipe, which would end a table cell.
const escape = (text: string): string => escapeText(text).replace(/\|/g, '\\|');

/** Renders a report as Markdown. */
export function renderMarkdown(report: Report): string {
  const icon = report.exitCode === 0 ? '✅' : report.exitCode === 1 ? '❌' : '⚠️';
  const byCell = new Map(report.cells.map((cell) => [`${cell.from}\u0000${cell.to}`, cell]));
  const lines = [
    `### ${icon} prober: ${escape(report.metadata.test)}`,
    '',
    `Backend \`${report.metadata.backend}\`${report.metadata.context ? ` (\`${escape(report.metadata.context)}\`)` : ''}, started ${escape(report.metadata.startedAt)}, ${Math.round(report.metadata.durationMs)} ms.`,
    '',
    `| from \\ to | ${report.targets.map((t) => escape(t.name)).join(' | ')} |`,
    `|---|${report.targets.map(() => ':-:').join('|')}|`,
    ...report.sources.map((source) => {
      const marks = report.targets.map((target) => {
        const cell = byCell.get(`${source.name}\u0000${target.name}`);
        return cell ? markOf(cell).char : ' ';
      });
      return `| **${escape(source.name)}** | ${marks.join(' | ')} |`;
    }),
    '',
    legendFor(report.cells).map((mark) => `\`${mark.char}\` ${mark.meaning}`).join(' · '),
  ];
  const problems = problemCells(report.cells);
  if (problems.length > 0) {
    lines.push('', '| cell | result | explanation | target |', '|---|---|---|---|');
    for (const cell of problems) {
      lines.push(`| ${escape(cellName(cell))} | ${cell.result} | ${escape(cell.explanation)}${cell.detail ? ` — ${escape(cell.detail)}` : ''} | \`${escape(cell.url)}\` |`);
    }
  }
  lines.push('', `**${summaryLine(report)}**`, '');
  return lines.join('\n');
}
