// The report writers alone, in-process, against their floor: the same bytes written from prepared buffers to the
// same sink (/dev/null). Cells are made before the clock starts, so only rendering and writing are timed.
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import type { Cell } from '../src/model/matrix.ts';
import { type StreamedReport, streamReport } from '../src/model/report.ts';
import { parseTarget } from '../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest } from '../src/model/test-spec.ts';
import type { OutputFormat, RenderOptions } from '../src/report/formats.ts';
import { writeReport } from '../src/report/write.ts';

const round = (x: number): number => Math.round(x * 10) / 10;
const PORTS = [8080, 9090, 5432, 6379, 9100];

/** `n` × `n` cells shaped as `simulate --test` makes them: names by namespace, a sentence of detail, some failing. */
function makeReport(n: number): { report: StreamedReport; rows: Cell[][] } {
  const name = (i: number): string => `team${Math.floor(i / 10) % 7}-svc${Math.floor(i / 10)}/app-${i}`;
  const targetName = (i: number): string => `${name(i)}:${PORTS[i % PORTS.length]}`;
  const url = (i: number): string =>
    `tcp://app-${i}.team${Math.floor(i / 10) % 7}-svc${Math.floor(i / 10)}:${PORTS[i % PORTS.length]}`;
  // As the engine makes them: a row shares its source's name, a column its target's name and URL.
  const sources = Array.from({ length: n }, (_, i) => name(i));
  const targets = Array.from({ length: n }, (_, i) => targetName(i));
  const urls = Array.from({ length: n }, (_, i) => url(i));
  const rows: Cell[][] = [];
  for (let s = 0; s < n; s++) {
    const row: Cell[] = [];
    for (let t = 0; t < n; t++) {
      const allow = (s + t) % 3 !== 0;
      const fail = (s * 7 + t) % 97 === 0;
      const observed = allow ? 'allow' : 'deny';
      const expected = fail ? (allow ? 'deny' : 'allow') : observed;
      row.push({
        from: sources[s]!,
        to: targets[t]!,
        url: urls[t]!,
        expected,
        rule: 'policy model',
        observed,
        reason: allow ? 'connected' : 'timeout',
        latencyMs: 0,
        attempts: 1,
        detail: `simulated: ingress to ${name(t)}: ${allow ? 'allowed by' : 'isolated by'} NetworkPolicy ${name(t).split('/')[0]}/api-from-web → ${observed}`,
        result: fail ? 'fail' : 'pass',
        explanation: fail
          ? `expected ${expected} by policy model, observed ${observed} (${allow ? 'connected' : 'timeout'})`
          : `expected ${expected}, observed ${observed} (${allow ? 'connected' : 'timeout'})`,
      });
    }
    rows.push(row);
  }
  const address = (i: number) => {
    const parsed = parseTarget(url(i));
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };
  const test: ReachabilityTest = {
    name: 'bench-writers',
    file: 'bench.yaml',
    defaults: DEFAULTS,
    sources: Array.from({ length: n }, (_, i) => ({ name: name(i), local: false })),
    targets: Array.from({ length: n }, (_, i) => ({
      name: targetName(i),
      address: address(i),
      liveness: 'auto' as const,
    })),
    rules: [],
    expectFromPolicies: true,
  };
  const metadata = {
    backend: 'simulated' as const,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 0,
    proberVersion: 'bench',
  };
  return { report: streamReport({ test, metadata, rows: () => rows }), rows };
}

/** Everything written to a stream, kept as the buffers it was given. */
function collector(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, chunks };
}

function finished(stream: NodeJS.WritableStream & { end(cb: () => void): void }): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/** One format: its render + write time to /dev/null, and the floor of writing its bytes there. */
async function measureFormat(report: StreamedReport, format: OutputFormat, options: RenderOptions) {
  const kept = collector();
  await writeReport(report, format, options, kept.stream);
  const bytes = kept.chunks.reduce((sum, c) => sum + c.length, 0);
  const floorSink = createWriteStream('/dev/null');
  const f0 = performance.now();
  for (const chunk of kept.chunks)
    if (!floorSink.write(chunk)) await new Promise<void>((r) => floorSink.once('drain', () => r()));
  await finished(floorSink);
  const floorMs = performance.now() - f0;
  const sink = createWriteStream('/dev/null');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await writeReport(report, format, options, sink);
  await finished(sink);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return {
    format: format === 'table' ? `table ${options.table}` : format,
    megabytes: round(bytes / 1e6),
    ms: round(ms),
    cpuMs: round((cpu.user + cpu.system) / 1000),
    floorMs: round(floorMs),
    ratioToFloor: round(ms / Math.max(floorMs, 0.1)),
    megabytesPerSecond: round(bytes / 1e3 / ms),
  };
}

/**
 * The `writers` section of `npm run bench`: PROBER_BENCH_WRITERS_N × the same (default 500, 250,000 cells)
 * rendered as JSON, JUnit, the compact table and (up to 500 × 500) SVG, to /dev/null.
 */
export async function benchWriters(n = Number(process.env.PROBER_BENCH_WRITERS_N ?? 500)) {
  const { report } = makeReport(n);
  const formats: [OutputFormat, RenderOptions][] = [
    ['json', { color: false }],
    ['junit', { color: false }],
    ['table', { color: false, table: 'compact' }],
    ...(n <= 500 ? ([['svg', { color: false }]] as [OutputFormat, RenderOptions][]) : []),
  ];
  const results = [];
  for (const [format, options] of formats) results.push(await measureFormat(report, format, options));
  return {
    name: 'writers',
    description: `${n} × ${n} cells rendered in-process to /dev/null; floor: the same bytes written from prepared buffers`,
    cells: n * n,
    results,
  };
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(await benchWriters(), null, 2)}\n`);
