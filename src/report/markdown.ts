// Markdown for CI job summaries: the same matrix and problems as the table, in GitHub-flavoured Markdown.

import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import { checkLines, checksSummary, VERDICT_MARK } from './checks.ts';
import { markdownText as cellText } from './escape.ts';
import { causeText, cellName, legendFor } from './marks.ts';
import { scanReport } from './scan.ts';
import { counted, summaryLine } from './verdict-line.ts';

/** Cells listed under the matrix at most: a job summary is for reading, the JSON report has them all. */
const MARKDOWN_LISTED = 200;

/** Renders a report as Markdown, in chunks; cells are gone over once. */
export function* markdownChunks(report: StreamedReport): Generator<string, ReportOutcome> {
  const scan = scanReport(report, { maxListed: MARKDOWN_LISTED });
  const { head } = report;
  const icon = scan.exitCode === 0 ? '✅' : scan.exitCode === 1 ? '❌' : '⚠️';
  const context = head.metadata.context ? ` (${cellText(head.metadata.context)})` : '';
  yield `### ${icon} prober: ${cellText(head.metadata.test)}\n\n`;
  yield `Backend \`${head.metadata.backend}\`${context}, started ${head.metadata.startedAt}, ${Math.round(head.metadata.durationMs)} ms.\n\n`;
  yield `| from \\ to | ${head.targets.map((t) => cellText(t.name)).join(' | ')} |\n`;
  yield `|---|${head.targets.map(() => ':-:').join('|')}|\n`;
  for (const source of head.sources) {
    const marks = scan.marks.get(source.name);
    yield `| **${cellText(source.name)}** | ${head.targets.map((_, i) => marks?.[i]?.char ?? ' ').join(' | ')} |\n`;
  }
  yield `\n${legendFor(scan.used)
    .map((mark) => `\`${mark.char}\` ${mark.meaning}`)
    .join(' · ')}\n`;
  if (scan.listed.length > 0) {
    yield '\n| cell | result | explanation | target |\n|---|---|---|---|\n';
    for (const cell of scan.listed) {
      yield `| ${cellText(cellName(cell))} | ${cell.result} | ${cellText(cell.explanation)}${cell.detail ? ` — ${cellText(cell.detail)}` : ''}${cell.cause ? ` — ${cellText(causeText(cell)!)}` : ''} | ${cellText(cell.url)} |\n`;
    }
    if (scan.unlisted > 0)
      yield `\n… and ${counted(scan.unlisted, 'more cell')} needing attention (all of them are in \`-o json\`).\n`;
  }
  if (head.checks && head.checks.length > 0) {
    // A part is a rate check's phase, or an affinity check's Service and source pods.
    yield '\n| check | verdict | part | result |\n|---|---|---|---|\n';
    for (const check of head.checks) {
      const [, expected, ...phases] = checkLines(check);
      const first = `| ${cellText(check.name)} (${cellText(`${check.from} → ${check.to}`)}) | ${VERDICT_MARK[check.verdict].char} ${VERDICT_MARK[check.verdict].word} |`;
      yield `${first} expected | ${cellText(expected ?? '')} |\n`;
      for (const [i, phase] of phases.entries()) {
        const [label, ...text] = phase.split(': ');
        yield `| | | ${cellText(label ?? String(i))} | ${cellText(text.join(': '))} |\n`;
      }
    }
  }
  yield `\n**${summaryLine(scan.counts, scan.exitCode, checksSummary(head))}**\n`;
  return { counts: scan.counts, exitCode: scan.exitCode };
}
