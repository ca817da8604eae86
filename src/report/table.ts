// The table a person reads at a glance: sources down, targets across, one mark per cell, problems listed below.

import Table from 'cli-table3';
import { styleText } from 'node:util';
import type { Cell } from '../model/matrix.ts';
import type { Report } from '../model/report.ts';
import { escapeText } from './escape.ts';
import { cellName, legendFor, markOf, observedText, problemCells, type Mark } from './marks.ts';
import { summaryLine } from './verdict-line.ts';

/** Rendering options; colour is for terminals only. */
export interface TableOptions {
  readonly color: boolean;
  /** List every cell below the matrix (ad-hoc probes), not only the ones needing attention. */
  readonly listAll?: boolean;
}

type Style = Parameters<typeof styleText>[0];

const TONE_STYLE: Readonly<Record<Mark['tone'], Style>> = {
  good: 'green',
  bad: ['red', 'bold', 'inverse'],
  warn: ['yellow', 'bold'],
  dim: 'dim',
};

/** Renders the matrix, a legend, the cells needing attention and the summary line. */
export function renderTable(report: Report, options: TableOptions): string {
  const paint = (style: Style, text: string): string => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const byCell = new Map(report.cells.map((cell) => [`${cell.from}\u0000${cell.to}`, cell]));
  const table = new Table({
    head: ['from \\ to', ...report.targets.map((t) => escapeText(t.name))],
    style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
    colAligns: ['left', ...report.targets.map(() => 'center' as const)],
  });
  for (const source of report.sources) {
    const row = report.targets.map((target) => {
      const cell = byCell.get(`${source.name}\u0000${target.name}`);
      if (!cell) return ' ';
      const mark = markOf(cell);
      return paint(TONE_STYLE[mark.tone], mark.char);
    });
    table.push([source.error ? `${escapeText(source.name)} ${paint('yellow', '(!)')}` : escapeText(source.name), ...row]);
  }
  const legend = legendFor(report.cells)
    .map((mark) => `${paint(TONE_STYLE[mark.tone], mark.char)} ${mark.meaning}`)
    .join('   ');
  const lines = [escapeText(`${report.metadata.test} (${report.metadata.backend}${report.metadata.context ? `: ${report.metadata.context}` : ''})`), table.toString(), legend];
  const listed = options.listAll ? report.cells : problemCells(report.cells);
  if (listed.length > 0) {
    lines.push('', ...listed.map((cell) => (options.listAll ? cellLine(cell, paint) : problemLine(cell, paint))));
  }
  for (const source of report.sources.filter((s) => s.error)) {
    lines.push(`${paint('yellow', '!')} ${escapeText(`source ${source.name}: ${source.error}`)}`);
  }
  lines.push('', paint(report.exitCode === 0 ? 'green' : report.exitCode === 1 ? 'red' : 'yellow', summaryLine(report)));
  return `${lines.join('\n')}\n`;
}

function cellLine(cell: Cell, paint: (style: Style, text: string) => string): string {
  const mark = markOf(cell);
  const latency = cell.latencyMs === null ? '' : ` in ${cell.latencyMs} ms`;
  return `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cell.url}: ${observedText(cell)}${latency}${cell.detail ? ` · ${cell.detail}` : ''}`)}`;
}

function problemLine(cell: Cell, paint: (style: Style, text: string) => string): string {
  const mark = markOf(cell);
  const head = `${paint(TONE_STYLE[mark.tone], mark.char)} ${escapeText(`${cellName(cell)}: ${cell.explanation}`)}`;
  const extra = [cell.url, cell.detail, cell.attempts > 1 ? `${cell.attempts} attempts` : undefined, observedText(cell)].filter(Boolean);
  return `${head}\n    ${escapeText(extra.slice(0, 3).join(' · '))}`;
}
