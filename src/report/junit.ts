// JUnit XML for CI test views: one testcase per checked cell, named by its rule when it has one.

import type { Cell } from '../model/matrix.ts';
import type { Report } from '../model/report.ts';
import { escapeText } from './escape.ts';
import { cellName, observedText } from './marks.ts';

// Control characters become visible escapes (XML 1.0 cannot carry most of them, and CI pages show
// the rest to people), then XML's own special characters are escaped.
const xml = (text: string): string => escapeText(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** Renders checked cells as a JUnit testsuite; unchecked cells are left out. */
export function renderJunit(report: Report): string {
  const checked = report.cells.filter((cell) => cell.result !== 'unchecked');
  const seconds = (ms: number | null): string => ((ms ?? 0) / 1000).toFixed(3);
  const suite = xml(`prober.${report.metadata.test}`);
  const cases = checked.map((cell) => testcase(cell, suite, seconds(cell.latencyMs)));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="prober" tests="${checked.length}" failures="${report.summary.fail}" errors="${report.summary.error}" time="${seconds(report.metadata.durationMs)}">`,
    `  <testsuite name="${suite}" tests="${checked.length}" failures="${report.summary.fail}" errors="${report.summary.error}" skipped="0" time="${seconds(report.metadata.durationMs)}" timestamp="${xml(report.metadata.startedAt)}">`,
    `    <properties><property name="backend" value="${xml(report.metadata.backend)}"/>${report.metadata.context ? `<property name="context" value="${xml(report.metadata.context)}"/>` : ''}</properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(cell: Cell, suite: string, time: string): string {
  const name = xml(cellName(cell));
  const open = `    <testcase classname="${suite}.${xml(cell.from)}" name="${name}" time="${time}">`;
  const lines = [cell.explanation, `url: ${cell.url}`, `observed: ${observedText(cell)}`, ...(cell.detail ? [`detail: ${cell.detail}`] : []), `attempts: ${cell.attempts}`];
  const body = lines.map(xml).join('\n');
  switch (cell.result) {
    case 'pass':
      return `${open}</testcase>`;
    case 'fail':
      return `${open}\n      <failure message="${xml(cell.explanation)}" type="mismatch">${body}</failure>\n    </testcase>`;
    case 'error':
      return `${open}\n      <error message="${xml(cell.explanation)}" type="${xml(cell.reason ?? 'error')}">${body}</error>\n    </testcase>`;
    case 'unchecked':
      return `${open}<skipped/></testcase>`;
    default: {
      const unreachable: never = cell.result;
      return unreachable;
    }
  }
}
