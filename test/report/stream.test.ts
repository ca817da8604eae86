// Streamed reports: cells produced row by row on demand, written with backpressure, every format complete.
import { Writable } from 'node:stream';
import t from 'tap';
import { LazyMap } from '../../src/model/lazy-map.ts';
import { matrixRows } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { adHocExitCode, streamReport } from '../../src/model/report.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import { formatProblem } from '../../src/report/fit.ts';
import type { TableStyle } from '../../src/report/formats.ts';
import { renderReport } from '../../src/report/render.ts';
import { writeReport } from '../../src/report/write.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { sampleReport } from './fixtures.ts';

/** A square matrix whose results are computed when asked for; `made` counts the cells computed. */
function lazyMatrix(size: number) {
  const names = Array.from({ length: size }, (_, i) => `w${i}`);
  const test: ReachabilityTest = {
    name: 'lazy',
    file: '<memory>',
    defaults: DEFAULTS,
    sources: names.map((name) => ({ name, local: true })),
    targets: names.map((name) => ({
      name,
      address: { scheme: 'tcp', host: name, port: 80, path: '', url: `tcp://${name}:80` },
      liveness: 'none',
    })),
    rules: [{ from: '*', to: 'w1', verdict: 'deny' }],
    expectFromPolicies: false,
  };
  const counter = { made: 0 };
  const keys = new Set(names);
  const result = (from: string, to: string): ProbeResult => {
    counter.made++;
    const observed = (from.length + to.length) % 3 === 0 ? 'deny' : 'allow';
    return {
      url: `tcp://${to}:80`,
      observed,
      reason: observed === 'deny' ? 'timeout' : 'connected',
      latencyMs: 1,
      attempts: 1,
    };
  };
  const results = new LazyMap(keys, (from) => new LazyMap(keys, (to) => result(from, to)));
  const observations = { results, sourceErrors: new Map<string, string>(), alive: new Map<string, string>() };
  const report = streamReport({
    test,
    rows: () => matrixRows({ test, observations, alive: new Map() }),
    metadata: { backend: 'simulated', startedAt: new Date(0).toISOString(), durationMs: 1, proberVersion: '0' },
    exitCode: adHocExitCode,
  });
  return { report, counter };
}

/** A reader that takes a while for each chunk, with a small buffer: the writer must wait for it. */
function slowReader(): { stream: Writable; text: () => string; maxBuffered: () => number } {
  const chunks: string[] = [];
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
      setImmediate(done);
    },
  });
  return { stream, text: () => chunks.join(''), maxBuffered: () => maxBuffered };
}

t.test('JSON to a slow reader: written as the reader takes it, complete and valid', async (t) => {
  const { report, counter } = lazyMatrix(300);
  const reader = slowReader();
  const outcome = await writeReport(report, 'json', { color: false }, reader.stream);
  t.equal(counter.made, 300 * 300, 'each cell computed once');
  // Without waiting for 'drain' the whole document (megabytes) would sit in the stream's buffer.
  t.ok(reader.maxBuffered() <= 256 * 1024, `at most one batch waits in the buffer (${reader.maxBuffered()} bytes)`);
  const parsed = JSON.parse(reader.text());
  t.same(reportSchemaErrors(parsed), []);
  t.equal(parsed.cells.length, 300 * 300);
  t.match(
    parsed.summary,
    { cells: 90000, checked: 300, error: 0, unchecked: 89700 },
    'the one rule checks the w1 column',
  );
  t.equal(parsed.summary.pass + parsed.summary.fail, 300);
  t.equal(parsed.exitCode, outcome.exitCode);
});

t.test('JUnit counts first, then writes: two passes over the cells, none kept', async (t) => {
  const { report, counter } = lazyMatrix(200);
  const reader = slowReader();
  const outcome = await writeReport(report, 'junit', { color: false }, reader.stream);
  t.equal(counter.made, 2 * 200 * 200, 'every cell computed twice (count, then write)');
  t.equal(reader.text().match(/<testcase /g)?.length, 200);
  t.match(
    reader.text(),
    new RegExp(`<testsuites name="prober" tests="200" failures="${outcome.counts.fail}" errors="0"`),
  );
});

t.test('the in-memory renderers give the same documents as before streaming', async (t) => {
  const report = sampleReport();
  t.equal(
    renderReport(report, 'json', { color: false })
      .split('\n')
      .filter((line) => line.startsWith('    {"from"')).length,
    9,
    'one line per cell',
  );
  t.same(JSON.parse(renderReport(report, 'json', { color: false })), JSON.parse(JSON.stringify(report)));
});

t.test('which formats can hold which matrices', async (t) => {
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  type Row = [string, Parameters<typeof formatProblem>[0], number, number, RegExp | undefined, TableStyle?];
  const rows: Row[] = [
    ['a small table', 'table', 10, 10, undefined],
    ['a table 200 targets wide is drawn compact', 'table', 10, 200, undefined],
    ['a compact table of 2,000 targets, in bands', 'table', 10, 2000, undefined, 'compact'],
    [
      'a wide table 200 targets wide, asked for by name',
      'table',
      10,
      200,
      /^-o table --table wide: the matrix \(10 sources × 200 targets\) would be [\d,]+ characters wide, .*use --table compact, -o svg/,
      'wide',
    ],
    ['a tall table is fine', 'table', 5000, 10, undefined, 'wide'],
    ['a 500 × 500 picture', 'svg', 500, 500, undefined],
    [
      'a picture over 250,000 cells',
      'html',
      501,
      500,
      /^-o html: the matrix \(501 sources × 500 targets\) has 250,500 cells, more than a picture a browser draws/,
    ],
    ['a small Markdown matrix', 'markdown', 100, 100, undefined],
    [
      'a Markdown matrix over 1 MiB',
      'markdown',
      1000,
      300,
      /^-o markdown: .* more than a CI job summary holds \(1 MiB\): use -o json or -o junit/,
    ],
    ['JSON holds anything', 'json', 100_000, 100_000, undefined],
    ['JUnit holds anything', 'junit', 100_000, 100_000, undefined],
  ];
  for (const [name, format, sources, targets, problem, table] of rows) {
    const found = formatProblem(format, names(sources, 'source'), names(targets, 'target'), table ? { table } : {});
    if (problem) t.match(found, problem, name);
    else t.equal(found, undefined, name);
  }
});
