// Checks beyond the matrix in every format: shown with offered, achieved and accepted rates, the
// expectation, rejections by kind and the verdict; their verdict joins the exit code; what a target
// sent (a header's value, an error) is escaped as any target text is.

import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import t from 'tap';
import type { RateCheckResult as CheckResult, RateMeasurement } from '../../src/model/rate-judgement.ts';
import type { Report } from '../../src/model/report.ts';
import { renderReport } from '../../src/report/render.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { sampleReport } from './fixtures.ts';

const measurement = (fields: Partial<RateMeasurement>): RateMeasurement => ({
  offeredPerSecond: 20,
  durationMs: 5000,
  scheduled: 100,
  sent: 100,
  achievedPerSecond: 20,
  late: 0,
  accepted: 100,
  statuses: {},
  resets: 0,
  unanswered: { timeout: 0, refused: 0, error: 0 },
  rejectionHeaders: [],
  ...fields,
});

/** A report whose cells all pass (bar the sample's own), with a met, a not-met and an undecided check carrying `text`. */
function withChecks(text: string, verdicts: CheckResult['verdict'][] = ['met', 'not-met', 'undecided']): Report {
  const base = sampleReport();
  const checks: CheckResult[] = verdicts.map((verdict, i) => ({
    name: `limit-${i} ${text}`,
    kind: 'rateLimit',
    from: 'here',
    to: 'web',
    url: `http://web.example/${text}`,
    expected: '10/s, burst 5, ± 10 %, rejected with 429',
    verdict,
    phases: [
      {
        label: '2× the limit',
        measurement: measurement({
          accepted: 55,
          statuses: { 429: 40, 503: 5 },
          resets: 2,
          unanswered: { timeout: 1, refused: 0, error: 0 },
          rejectionHeaders: [`retry-after: ${text}`],
          firstFailure: `boom ${text}`,
        }),
        expectedAccepted: { min: 50, max: 60 },
        verdict,
        why: `why ${text}`,
      },
    ],
  }));
  // The sample's own cells pass, fail and err: only the checks decide here.
  const cells = base.cells.filter((c) => c.result === 'pass');
  return { ...base, cells, summary: { ...base.summary }, checks, exitCode: verdicts.includes('undecided') ? 2 : 1 };
}

t.test('the table shows each check, its phase facts, and counts checks in the summary line', async (t) => {
  const text = renderReport(withChecks('x', ['met', 'not-met']), 'table', { color: false, width: 200 });
  t.match(text, /✓ limit-0 x: rate limit here → web: met/);
  t.match(text, /✗ limit-1 x: rate limit here → web: NOT MET/);
  t.match(text, /expected 10\/s, burst 5, ± 10 %, rejected with 429 · http:\/\/web\.example\/x/);
  t.match(
    text,
    /2× the limit: NOT MET — why x; offered 20\/s, achieved 20\/s \(100 of 100 sent\); 55 accepted \(11\/s\); rejected 429 ×40, 503 ×5, reset ×2 \(retry-after: x\); no answer: timeout ×1/,
  );
  t.match(text, /2 checks: 1 met, 1 not met, 0 could not decide — exit 1: a cell or a check does not match/);
});

t.test('a check that is not met fails the run although every cell passed; one undecided makes it 2', async (t) => {
  for (const [verdicts, code] of [
    [['met'], 0],
    [['met', 'not-met'], 1],
    [['not-met', 'undecided'], 2],
  ] as const) {
    const base = sampleReport();
    const cells = base.cells.filter((c) => c.result === 'pass');
    const { buildReport } = await import('../../src/model/report.ts');
    const report = buildReport({
      test: {
        name: 't',
        file: 't.yaml',
        defaults: { timeoutMs: 1000, attempts: 1, concurrency: 1 },
        sources: [{ name: 'apache', local: false }],
        targets: [],
        rules: [],
        expectFromPolicies: false,
      },
      metadata: { backend: 'local', startedAt: new Date(0).toISOString(), durationMs: 1, proberVersion: 'x' },
      cells,
      checks: withChecks('x', [...verdicts]).checks ?? [],
    });
    t.equal(report.exitCode, code, verdicts.join(', '));
  }
});

t.test('JSON carries the checks and validates against the report schema', async (t) => {
  const json = JSON.parse(renderReport(withChecks('x'), 'json', { color: false }));
  t.same(reportSchemaErrors(json), []);
  t.equal(json.checks.length, 3);
  t.match(json.checks[1], { verdict: 'not-met', phases: [{ measurement: { statuses: { 429: 40 } } }] });
});

const HOSTILE = '<img src=x onerror=alert(1)> | [l](javascript:x) & "q" \u001b[31m\u0007';

t.test('the table escapes control characters a target sent', async (t) => {
  const text = renderReport(withChecks(HOSTILE), 'table', { color: false, width: 200 });
  t.notMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character');
  t.match(text, /retry-after: <img/);
});

t.test('JUnit: a testcase per check, failure when not met, error when undecided, XML-escaped', async (t) => {
  const xml = renderReport(withChecks(HOSTILE), 'junit', { color: false });
  t.match(xml, /<testcase classname="prober\.[^"]*\.checks" name="limit-0 &lt;img[^"]*" time="5\.000"><system-out>/);
  t.match(xml, /<failure message="limit-1 &lt;img[^"]*" type="rate-limit">/);
  t.match(xml, /<error message="limit-2 &lt;img[^"]*" type="undecided">/);
  t.notMatch(xml, /<img/);
  t.notMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no character XML 1.0 forbids');
  t.match(xml, /tests="\d+" failures="1" errors="1"/);
});

t.test('HTML: a checks table, nothing a target sent becomes markup', async (t) => {
  const html = renderReport(withChecks(HOSTILE), 'html', { color: false });
  t.match(html, /<table id="checks">/);
  t.equal((html.match(/<img/g) ?? []).length, 0);
  t.match(html, /retry-after: &lt;img src=x onerror=alert\(1\)&gt;/);
});

t.test('Markdown: a checks table whose rows keep their columns, nothing becomes HTML or a link', async (t) => {
  const markdown = renderReport(withChecks(HOSTILE), 'markdown', { color: false });
  const html = micromark(markdown, {
    allowDangerousHtml: true,
    allowDangerousProtocol: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  t.notMatch(html, /<img|<a /);
  const checksTable = html.slice(html.indexOf('<th>check</th>'));
  const rows = checksTable.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
  t.ok(rows.length > 1, 'the checks table has rows');
  for (const row of rows) t.equal((row.match(/<t[dh][\s>]/g) ?? []).length, 4);
  t.match(markdown, /2 could not decide|1 could not decide/);
});
