// Renderers: the table, Markdown and JUnit of one fixed report, as snapshots plus the facts that matter.

import t from 'tap';
import { renderReport } from '../../src/report/render.ts';
import { sampleReport } from './fixtures.ts';

const report = sampleReport();

t.test('the fixture has a pass, a fail, errors and an unchecked cell', async (t) => {
  t.match(report.summary, { cells: 9, pass: 3, fail: 1, error: 3, unchecked: 2 });
  t.equal(report.exitCode, 2);
});

t.test('table: one mark per cell, legend, problems listed, summary line, no colour off a TTY', async (t) => {
  const text = renderReport(report, 'table', { color: false });
  t.notMatch(text, /\u001b\[/, 'no escape codes');
  t.match(text, /│ apache +│ +✓ +│ +A +│ +! +│/, 'apache row: pass, mismatch, error');
  t.match(text, /│ ingress +│ +d +│ +✗ +│ +! +│/, 'ingress row: unchecked deny, expected deny, error');
  t.match(text, /A ALLOWED but expected deny/);
  t.match(text, /A apache → redis \(case 2\): expected deny by case 2, observed allow \(pong\)/);
  t.match(text, /9 cells: 3 pass, 1 fail, 3 error, 2 unchecked — exit 2: the run could not decide/);
  t.matchSnapshot(text);
});

t.test('table: colour on a terminal highlights the mismatch', async (t) => {
  const text = renderReport(report, 'table', { color: true });
  t.match(text, /\u001b\[7m/, 'inverse video for the mismatch');
});

t.test('markdown: a table with marks and a problems table', async (t) => {
  const text = renderReport(report, 'markdown', { color: false });
  t.match(text, /^### ⚠️ prober: lab-redis-isolation/);
  t.match(text, /\| \*\*apache\*\* \| ✓ \| A \| ! \|/);
  t.match(text, /\| apache → redis \\\(case 2\\\) \| fail \|/);
  t.matchSnapshot(text);
});

t.test('junit: one testcase per checked cell, named by rule, failures and errors', async (t) => {
  const text = renderReport(report, 'junit', { color: false });
  t.equal(text.match(/<testcase /g)?.length, 7, 'checked cells only');
  t.match(text, /<testsuites name="prober" tests="7" failures="1" errors="3"/);
  t.match(
    text,
    /<testcase classname="prober\.lab-redis-isolation\.apache" name="apache → redis \(case 2\)" time="0\.013">\n {6}<failure message="expected deny by case 2, observed allow \(pong\)" type="mismatch">/,
  );
  t.match(text, /<error message="the check failed \(dns\); expected allow" type="dns">/);
  t.matchSnapshot(text);
});

t.test('json: the report as is', async (t) => {
  t.same(JSON.parse(renderReport(report, 'json', { color: false })), JSON.parse(JSON.stringify(report)));
});
