// What the wide and the compact table share: colours of the marks, and the lines under the matrix
// (legend, the cells needing attention, source errors, the summary line).

import { styleText } from 'node:util';
import type { Cell } from '../model/matrix.ts';
import type { ReportHead } from '../model/report.ts';
import { checkLines, checksSummary, VERDICT_MARK } from './checks.ts';
import { escapeText } from './escape.ts';
import { causeText, cellName, legendFor, type Mark, markOf, observedText } from './marks.ts';
import type { Scan } from './scan.ts';
import { sourceFailures, sourceFailureText } from './source-failures.ts';
import { summaryLine } from './verdict-line.ts';

export type Style = Parameters<typeof styleText>[0];

/** Colours text, or leaves it as it is when colour is off. */
export type Paint = (style: Style, text: string) => string;

export const TONE_STYLE: Readonly<Record<Mark['tone'], Style>> = {
  good: 'green',
  bad: ['red', 'bold', 'inverse'],
  warn: ['yellow', 'bold'],
  dim: 'dim',
};

/** The painter for a colour setting. */
export function painter(color: boolean): Paint {
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
}

/** The report's title line: test name, backend, context. */
export function titleLine(head: ReportHead): string {
  const context = head.metadata.context ? `: ${head.metadata.context}` : '';
  return `${escapeText(`${head.metadata.test} (${head.metadata.backend}${context})`)}\n`;
}

/** The lines under the matrix: the legend of marks, listed cells, source errors and the summary line. */
export function* tableTail(
  head: ReportHead,
  scan: Scan,
  listAll: boolean,
  paint: Paint,
  width = Number.POSITIVE_INFINITY,
): Generator<string> {
  // The legend takes as many lines as the width needs.
  let line = '';
  let used = 0;
  for (const mark of legendFor(scan.used)) {
    const size = mark.meaning.length + 2;
    if (used > 0 && used + 3 + size > width) {
      yield `${line}\n`;
      line = '';
      used = 0;
    }
    line += `${used > 0 ? '   ' : ''}${paint(TONE_STYLE[mark.tone], mark.char)} ${mark.meaning}`;
    used += (used > 0 ? 3 : 0) + size;
  }
  yield `${line}\n`;
  // A failure several sources share is said once; their cells that only repeat it are counted there.
  const { failures, folded } = sourceFailures(head, listAll ? [] : scan.listed);
  const listed = scan.listed.filter((cell) => !folded.has(cell));
  if (listed.length > 0) yield '\n';
  for (const cell of listed) yield `${listAll ? cellLine(cell, paint) : problemLine(cell, paint)}\n`;
  for (const failure of failures) yield `${paint('yellow', '!')} ${escapeText(sourceFailureText(failure))}\n`;
  for (const check of head.checks ?? []) {
    const mark = VERDICT_MARK[check.verdict];
    const [title, ...rest] = checkLines(check);
    yield `\n${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(title ?? '')}\n`;
    for (const line of rest) yield `    ${escapeText(line)}\n`;
  }
  const summary = summaryLine(scan.counts, scan.exitCode, checksSummary(head));
  yield `\n${paint(scan.exitCode === 0 ? 'green' : scan.exitCode === 1 ? 'red' : 'yellow', summary)}\n`;
}

function cellLine(cell: Cell, paint: Paint): string {
  const mark = markOf(cell);
  const latency = cell.latencyMs === null ? '' : ` in ${cell.latencyMs} ms`;
  return `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cell.url}: ${observedText(cell)}${latency}${cell.detail ? ` · ${cell.detail}` : ''}`)}`;
}

function problemLine(cell: Cell, paint: Paint): string {
  const mark = markOf(cell);
  const head = `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cellName(cell)}: ${problemText(cell)}`)}`;
  const extra = [
    cell.url,
    cell.detail,
    cell.attempts > 1 ? `${cell.attempts} attempts` : undefined,
    observedText(cell),
  ].filter(Boolean);
  const cause = causeText(cell);
  return `${head}\n    ${escapeText(extra.slice(0, 3).join(' · '))}${cause ? `\n    ${escapeText(cause)}` : ''}`;
}

/** Why a listed cell is there; an error cell no rule names says what failed, then that no rule names it. */
function problemText(cell: Cell): string {
  if (cell.result !== 'unchecked') return cell.explanation;
  const what = cell.reason === 'interrupted' ? 'the run was interrupted' : `the check failed (${cell.reason})`;
  return `${what}; ${cell.explanation}`;
}
