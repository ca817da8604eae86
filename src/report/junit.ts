// JUnit XML for CI test views: one testcase per checked cell, named by its rule when it has one.

import { checkSubject } from '../model/checks.ts';
import type { Cell } from '../model/matrix.ts';
import type { CheckResult } from '../model/report.ts';
import { type ReportOutcome, type StreamedReport, Tally } from '../model/report.ts';
import { checkLines, checkSeconds } from './checks.ts';
import { xmlText } from './escape.ts';
import { causeText, cellName, observedText } from './marks.ts';

const seconds = (ms: number | null): string => ((ms ?? 0) / 1000).toFixed(3);

/**
 * Renders checked cells as a JUnit testsuite, in chunks; unchecked cells are left out. The counts
 * head the document, so cells are gone over twice: once to count, once to write (not when the count
 * says none is checked: producing a large matrix's cells again would write nothing).
 */
export function* junitChunks(report: StreamedReport): Generator<string, ReportOutcome> {
  const tally = new Tally();
  for (const row of report.rows()) for (const cell of row) tally.add(cell);
  const counts = tally.result();
  const { metadata } = report.head;
  const checks = report.head.checks ?? [];
  const suite = xmlText(`prober.${metadata.test}`);
  const failures = counts.fail + checks.filter((c) => c.verdict === 'not-met').length;
  const errors = counts.error + checks.filter((c) => c.verdict === 'undecided').length;
  const attributes = `tests="${counts.checked + checks.length}" failures="${failures}" errors="${errors}"`;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="prober" ${attributes} time="${seconds(metadata.durationMs)}">\n`;
  yield `  <testsuite name="${suite}" ${attributes} skipped="0" time="${seconds(metadata.durationMs)}" timestamp="${xmlText(metadata.startedAt)}">\n`;
  yield `    <properties><property name="backend" value="${xmlText(metadata.backend)}"/>${metadata.context ? `<property name="context" value="${xmlText(metadata.context)}"/>` : ''}</properties>\n`;
  if (counts.checked > 0) {
    // A row's cells share their source: its class name is escaped once per row, not once per cell.
    let from: string | undefined;
    let classname = '';
    for (const row of report.rows()) {
      for (const cell of row) {
        if (cell.result === 'unchecked') continue;
        if (cell.from !== from) {
          from = cell.from;
          classname = `${suite}.${xmlText(from)}`;
        }
        yield `${testcase(cell, classname)}\n`;
      }
    }
  }
  for (const check of checks) yield `${checkTestcase(check, suite)}\n`;
  yield '  </testsuite>\n</testsuites>\n';
  return { counts, exitCode: report.exitCode(counts) };
}

/** What a failure or an error says: the explanation, then the cell's facts, one to a line. */
function body(cell: Cell): string {
  const cause = causeText(cell);
  const lines = [
    cell.explanation,
    ...(cause ? [cause] : []),
    `url: ${cell.url}`,
    `observed: ${observedText(cell)}`,
    ...(cell.detail ? [`detail: ${cell.detail}`] : []),
    `attempts: ${cell.attempts}`,
  ];
  return lines.map(xmlText).join('\n');
}

/** A check beyond the matrix as a testcase of class `<suite>.checks`: a failure when not met, an error when undecided. */
function checkTestcase(check: CheckResult, suite: string): string {
  const seconds = checkSeconds(check);
  const open = `    <testcase classname="${suite}.checks" name="${xmlText(`${check.name}: ${checkSubject(check)}`)}" time="${seconds.toFixed(3)}">`;
  const [title, ...lines] = checkLines(check);
  const body = lines.map(xmlText).join('\n');
  switch (check.verdict) {
    case 'met':
      return `${open}<system-out>${body}</system-out></testcase>`;
    case 'not-met':
      return `${open}\n      <failure message="${xmlText(title ?? '')}" type="${check.kind === 'rateLimit' ? 'rate-limit' : 'zone-affinity'}">${body}</failure>\n    </testcase>`;
    case 'undecided':
      return `${open}\n      <error message="${xmlText(title ?? '')}" type="undecided">${body}</error>\n    </testcase>`;
    default: {
      const unreachable: never = check.verdict;
      return unreachable;
    }
  }
}

function testcase(cell: Cell, classname: string): string {
  const name = xmlText(cellName(cell));
  const open = `    <testcase classname="${classname}" name="${name}" time="${seconds(cell.latencyMs)}">`;
  switch (cell.result) {
    case 'pass':
      // Most cells of a large matrix pass: their body is never written, so it is not made.
      return `${open}</testcase>`;
    case 'fail':
      return `${open}\n      <failure message="${xmlText(cell.explanation)}" type="mismatch">${body(cell)}</failure>\n    </testcase>`;
    case 'error':
      return `${open}\n      <error message="${xmlText(cell.explanation)}" type="${xmlText(cell.reason ?? 'error')}">${body(cell)}</error>\n    </testcase>`;
    case 'unchecked':
      return `${open}<skipped/></testcase>`;
    default: {
      const unreachable: never = cell.result;
      return unreachable;
    }
  }
}
