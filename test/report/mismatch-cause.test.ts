// A mismatch's likely cause in every report format: found by the matrix from the model's evidence,
// shown with its code and sentence, and escaped per format like the rest of the text.

import t from 'tap';
import { assembleMatrix, type ModelVerdict } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { buildReport, type Report } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest, type TargetSpec } from '../../src/model/test-spec.ts';
import { renderReport } from '../../src/report/render.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

function target(name: string, url: string): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name, address: parsed.value, liveness: 'none' };
}

const seen = (observed: 'allow' | 'deny', reason: ProbeResult['reason']): ProbeResult => ({
  url: 'x',
  observed,
  reason,
  latencyMs: 3,
  attempts: 1,
});

const denied = (protocol: 'TCP' | 'UDP' = 'TCP'): ModelVerdict => ({
  verdict: 'deny',
  explanation: ['isolated by NetworkPolicy d/isolate; denied'],
  evidence: { protocol, deniedAt: 'ingress', kinds: ['NetworkPolicy'], ipBlocks: [] },
});

/** Two sources × redis and dns over UDP, judged against the model alone; `rows` gives what was observed. */
function judged(rows: Record<string, Record<string, ProbeResult>>, hostNetwork: string[] = []): Report {
  const test: ReachabilityTest = {
    name: 'causes',
    file: 'causes.yaml',
    defaults: DEFAULTS,
    sources: ['apache', 'app'].map((name) => ({ name, namespace: 'b', local: false })),
    targets: [target('redis', 'redis://redis:6379'), target('udp', 'udp://echo:7')],
    rules: [],
    expectFromPolicies: true,
  };
  const model = new Map(
    ['apache', 'app'].map((s) => [
      s,
      new Map([
        ['redis', denied()],
        ['udp', denied('UDP')],
      ]),
    ]),
  );
  const results = new Map(Object.entries(rows).map(([s, row]) => [s, new Map(Object.entries(row))]));
  const observations = { results, sourceErrors: new Map(), alive: new Map(), hostNetwork: new Set(hostNetwork) };
  const cells = assembleMatrix({ test, observations, model });
  const metadata = {
    backend: 'lab' as const,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    proberVersion: '0',
  };
  return buildReport({ test, cells, metadata });
}

const cellOf = (report: Report, from: string, to: string) => report.cells.find((c) => c.from === from && c.to === to)!;

t.test('the matrix names the cause from the whole run', async (t) => {
  const open = judged({
    apache: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
    app: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
  });
  t.match(cellOf(open, 'apache', 'redis'), { result: 'fail', cause: { code: 'no-enforcement' } });
  t.match(cellOf(open, 'app', 'udp'), { cause: { code: 'no-enforcement' } });
  const tcpHeld = judged({
    apache: { redis: seen('deny', 'timeout'), udp: seen('allow', 'replied') },
    app: { redis: seen('deny', 'timeout'), udp: seen('allow', 'replied') },
  });
  t.match(cellOf(tcpHeld, 'apache', 'udp'), { cause: { code: 'protocol-unsupported', sentence: /for UDP$/ } });
  t.notOk(cellOf(tcpHeld, 'apache', 'redis').cause, 'a cell that agrees has no cause');
  t.notOk('evidence' in cellOf(tcpHeld, 'apache', 'redis').model!, 'the evidence is not reported');
  const oneHeld = judged({
    apache: { redis: seen('deny', 'timeout'), udp: seen('deny', 'timeout') },
    app: { redis: seen('allow', 'pong'), udp: seen('deny', 'timeout') },
  });
  t.equal(cellOf(oneHeld, 'app', 'redis').result, 'fail');
  t.notOk(cellOf(oneHeld, 'app', 'redis').cause, 'no evidence supports a cause: none is given');
  const fromHost = judged(
    { apache: { redis: seen('deny', 'timeout'), udp: seen('deny', 'timeout') }, app: { redis: seen('allow', 'pong') } },
    ['app'],
  );
  t.match(cellOf(fromHost, 'app', 'redis'), { cause: { code: 'host-network' } });
});

t.test('every format shows the code and the sentence; JSON validates', async (t) => {
  const report = judged({
    apache: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
    app: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
  });
  const json = JSON.parse(renderReport(report, 'json', { color: false }));
  t.same(reportSchemaErrors(json), []);
  t.match(json.cells[0], { cause: { code: 'no-enforcement', sentence: /enforces no NetworkPolicy/ } });
  for (const table of ['wide', 'compact'] as const)
    t.match(
      renderReport(report, 'table', { color: false, table }),
      /likely cause \(no-enforcement\): no cell the policies deny/,
      `${table} table`,
    );
  t.match(renderReport(report, 'markdown', { color: false }), /likely cause \\\(no-enforcement\\\)\\: no cell/);
  t.match(renderReport(report, 'junit', { color: false }), /likely cause \(no-enforcement\): no cell/);
  t.match(renderReport(report, 'html', { color: false }), /<br>likely cause \(no-enforcement\): no cell/);
  t.match(renderReport(report, 'svg', { color: false }), /<title>[^<]*likely cause \(no-enforcement\)/);
  const bad = structuredClone(json);
  bad.cells[0].cause.code = 'a-guess';
  t.not(reportSchemaErrors(bad).length, 0, 'the schema holds the catalogue codes only');
});

t.test('a sentence carrying policy text is escaped per format', async (t) => {
  const report = judged({
    apache: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
    app: { redis: seen('allow', 'pong'), udp: seen('allow', 'replied') },
  });
  const hostile = '\u001b[2J<b>x</b> | [l](http://e) \u202e';
  const cells = report.cells.map((c) => (c.cause ? { ...c, cause: { ...c.cause, sentence: hostile } } : c));
  const carrying = { ...report, cells };
  const table = renderReport(carrying, 'table', { color: false });
  t.notMatch(table, /\u001b\[2J|\u202e/);
  t.match(table, /\\x1b\[2J<b>x<\/b>/);
  const md = renderReport(carrying, 'markdown', { color: false });
  t.notMatch(md, /<b>|\]\(http/);
  for (const format of ['junit', 'html', 'svg'] as const) {
    const text = renderReport(carrying, format, { color: false });
    t.notMatch(text, /<b>|\u001b/, `${format}: no markup or control character from the sentence`);
    t.match(text, /&lt;b&gt;/, `${format}: XML-escaped`);
  }
});
