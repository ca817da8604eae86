// `node bench/watch.ts [RUNS] [LAB_TESTS]`: `prober watch`'s cost on the seed lab (root, dist/prober built).
// 1. The same matrix (policies/expectations.yaml, the seed's NetworkPolicy applied) run LAB_TESTS times
//    by `prober lab test`: wall time of each process and the run's own duration (the report's durationMs).
// 2. One watch at a 1 s interval for RUNS runs: each run's duration (its log line), and the process's
//    resident memory, open descriptors and CPU time after the warm-up (a tenth of the runs, at least 10)
//    and after RUNS (from its /metrics), and memory sampled along the way: growth is the peak of the
//    soak's second half against the peak of its first.
// Prints one JSON document. Targets (issue 27) are goals: overhead per run ≤ 10 % of a lab test's run,
// RSS growth ≤ 10 % after warm-up, descriptors flat.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { prepareRuntime } from '../app/runtime.ts';
import { BINARY, ROOT } from './command.ts';

const RUNS = Number(process.argv[2] ?? 100);
const LAB_TESTS = Number(process.argv[3] ?? 20);
/**
 * Runs before memory is taken as the baseline: V8 grows its young generation and compiles the hot code
 * over the first runs (a tenth of the soak, at least 10).
 */
const WARM_UP = Math.max(10, Math.round(RUNS / 10));
/** Runs between two memory samples. */
const SAMPLE_EVERY = Math.max(1, Math.round(RUNS / 60));
const TEST = join(ROOT, 'policies', 'expectations.yaml');
const PROBE_FLAGS = ['--timeout', '300ms', '--attempts', '1'];
const name = `bw-${process.pid.toString(36)}`;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round1 = (n: number): number => Math.round(n * 10) / 10;

function labCommand(args: readonly string[]): { stdout: string; wallMs: number } {
  const started = performance.now();
  const out = spawnSync(BINARY, ['lab', ...args], { encoding: 'utf8', cwd: ROOT });
  if (out.status !== 0 && args[0] !== 'test') throw new Error(`lab ${args[0]}: ${out.stderr}`);
  return { stdout: out.stdout, wallMs: performance.now() - started };
}

/** Values of the unlabelled series named, from one scrape. */
async function scrape(url: string, names: readonly string[]): Promise<Record<string, number>> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [series, value] = line.split(' ');
    if (series && names.includes(series)) out[series] = Number(value);
  }
  const runs = text.match(/^prober_run_duration_seconds_count\{[^}]*\} (\d+)$/m);
  out.runs = Number(runs?.[1] ?? 0);
  return out;
}

async function watchSoak(): Promise<object> {
  const child = spawn(
    BINARY,
    [
      '-v',
      '--log-format',
      'json',
      'watch',
      '--lab',
      name,
      '-f',
      TEST,
      '--interval',
      '1s',
      '--listen',
      '127.0.0.1:0',
      ...PROBE_FLAGS,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('close', resolve));
  let url: string | undefined;
  while (!url) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    url = /metrics on (\S+)/.exec(stderr)?.[1];
  }
  const names = [
    'process_resident_memory_bytes',
    'process_open_fds',
    'process_cpu_seconds_total',
    'nodejs_heap_size_used_bytes',
  ];
  const at = async (runs: number): Promise<Record<string, number>> => {
    for (;;) {
      const values = await scrape(url as string, names);
      if ((values.runs ?? 0) >= runs) return values;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  // Memory every SAMPLE_EVERY runs after the warm-up. Resident memory saws up and down with the garbage
  // collector's young generation (a sample lands anywhere on the tooth), so growth compares the peaks of the
  // two halves of the soak: a leak raises the second half's peak, a settled heap does not.
  const mib = (bytes = 0): number => round1(bytes / 2 ** 20);
  const warm = await at(WARM_UP);
  const series: { runs: number; rss: number; heapUsed: number }[] = [];
  for (let n = WARM_UP; n <= RUNS; n += SAMPLE_EVERY) {
    const values = n === WARM_UP ? warm : await at(n);
    series.push({
      runs: n,
      rss: values.process_resident_memory_bytes ?? 0,
      heapUsed: values.nodejs_heap_size_used_bytes ?? 0,
    });
  }
  const soaked = await at(RUNS);
  const middle = (WARM_UP + RUNS) / 2;
  const peak = (part: typeof series, key: 'rss' | 'heapUsed'): number => Math.max(...part.map((p) => p[key]));
  const first = series.filter((p) => p.runs <= middle);
  const second = series.filter((p) => p.runs > middle);
  const growth = (key: 'rss' | 'heapUsed'): number =>
    round1(((peak(second, key) - peak(first, key)) / peak(first, key)) * 100);
  child.kill('SIGTERM');
  await exited;
  const durations = stderr
    .split('\n')
    .filter((line) => line.includes('"msg":"run"'))
    .map((line) => (JSON.parse(line) as { durationMs: number }).durationMs);
  const cpuPerRunMs =
    (((soaked.process_cpu_seconds_total ?? 0) - (warm.process_cpu_seconds_total ?? 0)) * 1000) /
    ((soaked.runs ?? 0) - (warm.runs ?? 0));
  return {
    runs: soaked.runs,
    runMsMedian: median(durations),
    warmUpRuns: WARM_UP,
    [`rssMiBAfter${WARM_UP}`]: mib(warm.process_resident_memory_bytes),
    [`rssMiBAfter${RUNS}`]: mib(soaked.process_resident_memory_bytes),
    rssPeakMiBFirstHalf: mib(peak(first, 'rss')),
    rssPeakMiBSecondHalf: mib(peak(second, 'rss')),
    rssGrowthPercent: growth('rss'),
    heapUsedPeakGrowthPercent: growth('heapUsed'),
    rssGoal: 'rssGrowthPercent <= 10 (the peak of the second half against the first, after the warm-up)',
    [`fdsAfter${WARM_UP}`]: warm.process_open_fds,
    [`fdsAfter${RUNS}`]: soaked.process_open_fds,
    cpuMsPerRun: round1(cpuPerRunMs),
    rssMiBEvery: Object.fromEntries(series.filter((_, i) => i % 5 === 0).map((p) => [p.runs, mib(p.rss)])),
  };
}

await prepareRuntime();
labCommand(['up', '--name', name]);
try {
  labCommand(['apply', '--name', name, '-f', join(ROOT, 'policies', 'networkpolicy')]);
  const labTests = Array.from({ length: LAB_TESTS }, () => {
    const { stdout, wallMs } = labCommand(['test', '--name', name, '-f', TEST, '-o', 'json', ...PROBE_FLAGS]);
    return { wallMs, runMs: (JSON.parse(stdout) as { metadata: { durationMs: number } }).metadata.durationMs };
  });
  const labTest = {
    runs: LAB_TESTS,
    wallMsMedian: round1(median(labTests.map((r) => r.wallMs))),
    runMsMedian: median(labTests.map((r) => r.runMs)),
  };
  const watch = (await watchSoak()) as { runMsMedian: number };
  const overheadPercent = round1(((watch.runMsMedian - labTest.runMsMedian) / labTest.runMsMedian) * 100);
  process.stdout.write(
    `${JSON.stringify({ labTest, watch, overheadPercentOfLabTestRun: overheadPercent }, null, 2)}\n`,
  );
} finally {
  labCommand(['down', '--name', name]);
}
