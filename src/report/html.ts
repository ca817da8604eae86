// The matrix as one self-contained web page: the SVG heatmap, the summary and the cells needing
// attention, with no script and no external resource (its Content-Security-Policy allows none).

import type { ReportOutcome, StreamedReport } from '../model/report.ts';
import { checkLines, VERDICT_MARK } from './checks.ts';
import { xmlText } from './escape.ts';
import { causeText, cellName, markOf, observedText } from './marks.ts';
import { scanReport } from './scan.ts';
import { MARK_COLOURS, svgChunks } from './svg.ts';
import { counted } from './verdict-line.ts';

/** A check's verdict colour, as the picture's marks of the same tone. */
const CHECK_COLOURS = { good: '#43a047', bad: '#e53935', warn: '#fb8c00' } as const;

/** Cells listed under the picture at most; the picture's tooltips hold every one. */
const MAX_LISTED = 1000;

const STYLE = [
  'body{font:14px system-ui,sans-serif;margin:16px;color:#212121}',
  'table{border-collapse:collapse;margin-top:12px}',
  'td,th{border:1px solid #cfd8dc;padding:2px 8px;text-align:left;vertical-align:top}',
  '.m{font-weight:bold;color:#ffffff;text-align:center}',
  '.wrap{overflow:auto}',
].join('');

/** The page as chunks; the SVG inside streams its cells like `-o svg`. */
export function* htmlChunks(report: StreamedReport): Generator<string, ReportOutcome> {
  const { head } = report;
  const scan = scanReport(report, { maxListed: MAX_LISTED });
  const title = xmlText(`prober: ${head.metadata.test} (${head.metadata.backend})`);
  yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n';
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n`;
  yield `<title>${title}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<h1>${title}</h1>\n`;
  yield `<p>${counted(head.sources.length, 'source')} × ${counted(head.targets.length, 'target')}. Hover a cell for what was observed and why.</p>\n`;
  yield '<div class="wrap">\n';
  const outcome = yield* svgChunks(report, scan);
  yield '</div>\n';
  if (scan.listed.length > 0) {
    yield '<h2>Cells needing attention</h2>\n<table id="problems">\n<tr><th></th><th>cell</th><th>observed</th><th>why</th></tr>\n';
    for (const cell of scan.listed) {
      const mark = markOf(cell);
      yield `<tr><td class="m" style="background:${MARK_COLOURS[mark.char]}">${xmlText(mark.char)}</td><td>${xmlText(cellName(cell))}</td><td>${xmlText(observedText(cell))}</td><td>${xmlText(cell.explanation)}${cell.cause ? `<br>${xmlText(causeText(cell)!)}` : ''}</td></tr>\n`;
    }
    yield '</table>\n';
    if (scan.unlisted > 0) yield `<p>…and ${scan.unlisted} more (see the picture's tooltips, or -o json).</p>\n`;
  }
  if (head.checks && head.checks.length > 0) {
    yield '<h2>Checks</h2>\n<table id="checks">\n<tr><th></th><th>check</th><th>expected</th><th>phases</th></tr>\n';
    for (const check of head.checks) {
      const mark = VERDICT_MARK[check.verdict];
      const [title, expected, ...phases] = checkLines(check);
      yield `<tr><td class="m" style="background:${CHECK_COLOURS[mark.tone]}">${xmlText(mark.char)}</td><td>${xmlText(title ?? '')}</td><td>${xmlText(expected ?? '')}</td><td>${phases.map(xmlText).join('<br>')}</td></tr>\n`;
    }
    yield '</table>\n';
  }
  for (const source of head.sources.filter((s) => s.error))
    yield `<p class="source-error">! ${xmlText(`source ${source.name}: ${source.error}`)}</p>\n`;
  yield '</body>\n</html>\n';
  return outcome;
}
