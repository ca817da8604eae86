// `prober watch` on the seed lab (the real binary, a real lab): the cells come in matched; removing the
// policies flips the Redis cells to mismatched in /metrics within two intervals, applying them again
// flips them back; rounds never overlap, a slow round is counted, not stacked; SIGTERM stops it at
// once with exit 0. promtool checks a real scrape, and the drift alert rule fires on the drifted scrape
// and not on the matched one; the live page's state lists the flips.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { prepareRuntime } from '../../app/runtime.ts';
import { dumpUrlDom } from '../helpers/chromium.ts';
import { lab, labName } from '../helpers/lab.ts';
import { ROOT, type RunningProber, startBinary } from '../helpers/prober.ts';
import { until } from '../helpers/wait.ts';

const INTERVAL_MS = 1000;
const EXPECTATIONS = join(ROOT, 'policies', 'expectations.yaml');
const POLICIES = join(ROOT, 'policies', 'networkpolicy');
/** The cells the seed's NetworkPolicy closes: open without it, so each flips when it goes. */
const CLOSED = ['apache', 'ingress', 'redis'].map((source) => `${source}→redis`);

type Json = Record<string, any>;

/** One sample of a scrape: the metric name, its labels and value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) labels[key ?? ''] = value ?? '';
    out.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return out;
}

/** The cells of the scrape whose `prober_cell_result` is 1 for `result`, as "source→target". */
function cellsIn(scrape: readonly Sample[], result: string): string[] {
  return scrape
    .filter((s) => s.name === 'prober_cell_result' && s.labels.result === result && s.value === 1)
    .map((s) => `${s.labels.source}→${s.labels.target}`)
    .sort();
}

const flips = (scrape: readonly Sample[], cell: string): number =>
  scrape.find((s) => s.name === 'prober_cell_flips_total' && `${s.labels.source}→${s.labels.target}` === cell)?.value ??
  Number.NaN;

/** Runs ended so far, whatever their outcome: counting them is how "within two intervals" is told on a loaded machine. */
const runsEnded = (scrape: readonly Sample[]): number =>
  scrape.filter((s) => s.name === 'prober_runs_total').reduce((sum, s) => sum + s.value, 0);

const metric = (scrape: readonly Sample[], name: string): number =>
  scrape.find((s) => s.name === name)?.value ?? Number.NaN;

/**
 * Whether the drift alert of k8s/prober/watch/prometheus-rule.yaml (its expression and its `for`; the
 * annotations left out) fires on the cells of one real scrape held for ten minutes: `promtool test rules`
 * with the scrape's `prober_cell_result` series as its input, expecting the alert for `test` at minute 6
 * when `fires`, and no alert otherwise. Returns promtool's output when the expectation fails.
 */
function driftAlert(t: Test, scrape: readonly Sample[], test: string, fires: boolean): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'prober-watch-alert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rule = join(ROOT, 'k8s', 'prober', 'watch', 'prometheus-rule.yaml');
  const spec = (parse(readFileSync(rule, 'utf8')) as Json).spec as Json;
  const drift = (spec.groups[0].rules as Json[]).find((r) => r.alert === 'ProberReachabilityDrift') as Json;
  const { annotations: _, ...bare } = drift;
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: [{ name: 'drift', rules: [bare] }] }));
  const series = scrape
    .filter((s) => s.name === 'prober_cell_result')
    .map((s) => ({
      series: `prober_cell_result{${Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`,
      values: `${s.value}x10`,
    }));
  const expected = fires ? [{ exp_labels: { severity: 'critical', test } }] : [];
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: series,
        alert_rule_test: [{ eval_time: '6m', alertname: 'ProberReachabilityDrift', exp_alerts: expected }],
      },
    ],
  };
  writeFileSync(join(dir, 'alerts.test.yaml'), stringify(tests));
  const run = spawnSync('promtool', ['test', 'rules', 'alerts.test.yaml'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return run.status === 0 ? undefined : `${run.stdout}${run.stderr}`;
}

/** The log lines of a watch run with --log-format json. */
const logLines = (run: RunningProber): Json[] =>
  run.output.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Json);

/** Starts a watch of the lab and returns it with the URL it serves metrics on. */
async function startWatch(t: Test, name: string, extra: readonly string[] = [], file = EXPECTATIONS) {
  const run = startBinary(t, [
    '-vv',
    '--log-format',
    'json',
    'watch',
    '--lab',
    name,
    '-f',
    file,
    '--interval',
    `${INTERVAL_MS}ms`,
    '--listen',
    '127.0.0.1:0',
    ...extra,
  ]);
  const url = await until(
    'the watch to say where it serves metrics',
    () => {
      if (run.done()) throw new Error(`watch exited: ${run.output.stderr}`);
      return /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(run.output.stderr)?.[1];
    },
    30_000,
  );
  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    return { text, samples: samples(text) };
  };
  return { run, url, scrape };
}

/** Stops a watch with SIGTERM; returns its exit and how long it took. */
async function stop(run: RunningProber): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  run.child.kill('SIGTERM');
  const exit = await run.exited;
  return { code: exit.code, ms: performance.now() - started };
}

/** Runs as logged: each starts after the one before ended (ended: judged, failed or abandoned). Returns how many ended. */
const RUN_ENDS = new Set(['run', 'run failed', 'run abandoned']);
function runsInOrder(t: Test, lines: readonly Json[]): number {
  const order = lines
    .filter((l) => l.msg === 'run started' || RUN_ENDS.has(l.msg))
    .map((l) => `${l.msg === 'run started' ? 'start' : 'end'} ${l.round}`);
  const ended = Math.floor(order.length / 2);
  const expected = Array.from({ length: ended }, (_, i) => [`start ${i + 1}`, `end ${i + 1}`]).flat();
  if (order.length % 2 === 1) expected.push(`start ${ended + 1}`);
  t.same(order, expected, 'start 1, end 1, start 2, end 2 …: no run overlaps another');
  return ended;
}

const name = labName();
t.teardown(() => {
  lab(['down', '--name', name]);
});

t.before(async () => {
  await prepareRuntime();
  const up = lab(['up', '--name', name]);
  if (up.status !== 0) throw new Error(`lab up failed (${up.status}): ${up.stderr}`);
  const applied = lab(['apply', '--name', name, '-f', POLICIES]);
  if (applied.status !== 0) throw new Error(`lab apply failed: ${applied.stderr}`);
});

t.test('a policy removed and applied again flips the cells in /metrics within two intervals', async (t) => {
  // Denies are drops here: a short timeout keeps a round well inside the interval.
  const watch = await startWatch(t, name, ['--timeout', '300ms', '--attempts', '1']);
  const matched = await until(
    'every cell matched',
    async () => {
      const { samples } = await watch.scrape();
      return cellsIn(samples, 'matched').length === 16 ? samples : undefined;
    },
    30_000,
    50,
  );
  t.same(cellsIn(matched, 'mismatched'), [], 'nothing mismatched with the policies applied');
  t.same(
    CLOSED.map((cell) => flips(matched, cell)),
    [0, 0, 0],
    'no flips yet',
  );

  const runsAtRemoval = runsEnded((await watch.scrape()).samples);
  const removed = lab(['reset', '--name', name]);
  t.equal(removed.status, 0, removed.stderr);
  const removedAt = performance.now();
  const drifted = await until(
    'the closed cells to flip to mismatched',
    async () => {
      const { samples } = await watch.scrape();
      return cellsIn(samples, 'mismatched').length === CLOSED.length ? samples : undefined;
    },
    10_000,
    50,
  );
  const drift = performance.now() - removedAt;
  // The run in flight at the change may still see the policies; the next one must not.
  const driftRuns = runsEnded(drifted) - runsAtRemoval;
  t.ok(driftRuns <= 2, `seen ${driftRuns} run(s) after the change (${Math.round(drift)} ms): within two intervals`);
  t.same(cellsIn(drifted, 'mismatched'), CLOSED, 'the cells the policy closed are mismatched');
  t.same(
    CLOSED.map((cell) => flips(drifted, cell)),
    [1, 1, 1],
    'each flipped once',
  );
  t.equal(flips(drifted, 'app→redis'), 0, 'a cell that did not change did not flip');
  const open = drifted.find(
    (s) =>
      s.name === 'prober_cell_observed_verdict' &&
      s.labels.source === 'apache' &&
      s.labels.target === 'redis' &&
      s.labels.verdict === 'allow',
  );
  t.equal(open?.value, 1, 'apache → redis is observed open');
  // The drift alert's rule on these very metrics: it fires (after its 5 minutes), and not on the matched ones.
  t.equal(
    driftAlert(t, drifted, 'lab-redis-isolation', true),
    undefined,
    'the drift alert fires on the drifted scrape',
  );
  t.equal(driftAlert(t, matched, 'lab-redis-isolation', false), undefined, 'and not on the matched one');

  const runsAtApply = runsEnded((await watch.scrape()).samples);
  const applied = lab(['apply', '--name', name, '-f', POLICIES]);
  t.equal(applied.status, 0, applied.stderr);
  const appliedAt = performance.now();
  const back = await until(
    'the cells to flip back to matched',
    async () => {
      const { samples } = await watch.scrape();
      return cellsIn(samples, 'matched').length === 16 ? samples : undefined;
    },
    10_000,
    50,
  );
  const recovery = performance.now() - appliedAt;
  const recoveryRuns = runsEnded(back) - runsAtApply;
  t.ok(recoveryRuns <= 2, `back ${recoveryRuns} run(s) after (${Math.round(recovery)} ms): within two intervals`);
  t.same(
    CLOSED.map((cell) => flips(back, cell)),
    [2, 2, 2],
    'each flipped back',
  );
  t.ok(
    metric(back, 'prober_last_successful_run_timestamp_seconds') > Date.now() / 1000 - 10,
    'a recent successful run',
  );

  // promtool validates a real scrape.
  const { text } = await watch.scrape();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  t.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
  t.notMatch(text, /\b10\.\d+\.\d+\.\d+\b|\b192\.168\./, 'no pod or service address in the metrics');
  const health = await fetch(`${watch.url}/healthz`);
  t.equal(health.status, 200, '/healthz while watching');

  // The live page saw the same: each closed cell's history holds both flips, in order.
  const page = (await (await fetch(`${watch.url}/state.json`, { signal: AbortSignal.timeout(5000) })).json()) as Json;
  const shown = page.tests[0];
  const cellOf = (source: string) => shown.cells[shown.sources.indexOf(source)][shown.targets.indexOf('redis')];
  t.same(
    CLOSED.map((cell) => cellOf(cell.split('→')[0]!).flips.map((f: Json) => `${f.from}→${f.to}`)),
    CLOSED.map(() => ['matched→mismatched', 'mismatched→matched']),
    'the page lists both flips of each closed cell',
  );
  t.equal(cellOf('apache').recent, true, 'and marks them as flipped lately');
  // The built binary's page in a real browser: its script runs under its own policy and shows the history.
  const link = `#cell=${encodeURIComponent(JSON.stringify([shown.name, 'apache', 'redis']))}`;
  const dom = await dumpUrlDom(t, `${watch.url}/${link}`);
  t.match(
    dom,
    /<tr class="flip"><td>[^<]+<\/td><td>run \d+<\/td><td>mismatched → matched<\/td><\/tr><\/table><\/aside>/,
    'Chromium shows the flip back, last',
  );
  t.equal(dom.match(/<td class="cell matched/g)?.length, 16, 'and sixteen matched cells');
  const html = await fetch(`${watch.url}/`);
  t.match(
    html.headers.get('content-security-policy'),
    /^default-src 'none'; script-src 'sha256-/,
    'the page, self-contained',
  );

  const exit = await stop(watch.run);
  t.equal(exit.code, 0, 'SIGTERM is a normal stop: exit 0');
  t.ok(exit.ms < 1000, `stopped in ${Math.round(exit.ms)} ms`);
  const lines = logLines(watch.run);
  const flipLines = lines.filter((l) => l.msg === 'cell flipped');
  t.same(
    flipLines.map((l) => `${l.source}→${l.target} ${l.from}→${l.to}`).sort(),
    [...CLOSED.map((c) => `${c} matched→mismatched`), ...CLOSED.map((c) => `${c} mismatched→matched`)].sort(),
    'one log line per flip',
  );
  t.ok(
    lines.some((l) => l.msg === 'run' && l.verdict === 'mismatched' && l.mismatched === 3),
    'a run line with its verdict',
  );
  t.ok(runsInOrder(t, lines) >= 3, 'runs came one after the other');
  t.equal(
    lines.filter((l) => l.msg === 'round overran the interval').length,
    metric(back, 'prober_runs_overrun_total'),
  );
});

t.test('a round slower than the interval is counted, and the next starts when it ends', async (t) => {
  // Each dropped probe waits 1.5 s: every round outlasts the 1 s interval.
  const watch = await startWatch(t, name, ['--timeout', '1500ms', '--attempts', '1']);
  // Until three runs were judged: the metric alone would never come if rounds were stacked instead.
  await until('three runs', () => logLines(watch.run).filter((l) => l.msg === 'run').length >= 3, 30_000, 100);
  const { samples: scrape } = await watch.scrape();
  t.ok(metric(scrape, 'prober_runs_overrun_total') >= 2);
  const exit = await stop(watch.run);
  t.equal(exit.code, 0);
  t.ok(exit.ms < 1000, `stopped mid-round in ${Math.round(exit.ms)} ms`);
  const lines = logLines(watch.run);
  t.ok(runsInOrder(t, lines) >= 2, 'runs never overlapped');
  const overran = lines.filter((l) => l.msg === 'round overran the interval');
  t.ok(
    overran.length >= 2 && overran.every((l) => l.durationMs > INTERVAL_MS),
    'each overrun logged with its duration',
  );
});

t.test('a test file broken during the watch fails its runs, counted and logged; mended, it runs again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prober-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'expectations.yaml');
  copyFileSync(EXPECTATIONS, file);
  const watch = await startWatch(t, name, ['--timeout', '300ms', '--attempts', '1'], file);
  const runs = async (outcome: string): Promise<number> =>
    (await watch.scrape()).samples.find((s) => s.name === 'prober_runs_total' && s.labels.outcome === outcome)?.value ??
    0;
  await until('a matched run', async () => (await runs('matched')) >= 1, 30_000, 50);
  writeFileSync(
    file,
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: { name: lab-redis-isolation }\nspec: { sources: 3 }\n',
  );
  await until('a failed run', async () => (await runs('failed')) >= 1, 10_000, 50);
  const { samples } = await watch.scrape();
  t.ok(
    samples.some((s) => s.name === 'prober_errors_total' && s.labels.kind === 'input' && s.value >= 1),
    'an input error',
  );
  t.same(cellsIn(samples, 'matched').length, 16, 'the cells keep the last result they had');
  const matchedBefore = await runs('matched');
  copyFileSync(EXPECTATIONS, file);
  await until('a matched run again', async () => (await runs('matched')) > matchedBefore, 10_000, 50);
  const exit = await stop(watch.run);
  t.equal(exit.code, 0);
  const failed = logLines(watch.run).find((l) => l.msg === 'run failed');
  t.match(failed, { test: 'lab-redis-isolation', kind: 'input', error: new RegExp(`^${file}:4: `) });
});

t.test('two tests of one name are refused before anything is served: their names label the metrics', async (t) => {
  const run = startBinary(t, [
    'watch',
    '--lab',
    name,
    '-f',
    EXPECTATIONS,
    '-f',
    EXPECTATIONS,
    '--listen',
    '127.0.0.1:0',
  ]);
  const exit = await run.exited;
  t.equal(exit.code, 2);
  t.equal(
    exit.stderr,
    `prober: ${EXPECTATIONS}: metadata.name: "lab-redis-isolation" is watched twice: test names label the metrics\n`,
  );
});

// Last: it takes the shared lab down.
t.test('a lab taken down during the watch fails its runs as a lab error, and the watch goes on', async (t) => {
  const watch = await startWatch(t, name, ['--timeout', '300ms', '--attempts', '1']);
  const errors = async (kind: string): Promise<number> =>
    (await watch.scrape()).samples.find((s) => s.name === 'prober_errors_total' && s.labels.kind === kind)?.value ?? 0;
  const matched = async (): Promise<number> =>
    (await watch.scrape()).samples.find((s) => s.name === 'prober_runs_total' && s.labels.outcome === 'matched')
      ?.value ?? 0;
  await until('a matched run', async () => (await matched()) >= 1, 30_000, 50);
  const down = lab(['down', '--name', name]);
  t.equal(down.status, 0, down.stderr);
  await until('a run failed because the lab is down', async () => (await errors('lab')) >= 1, 10_000, 50);
  t.notOk(watch.run.done(), 'the watch still runs');
  const exit = await stop(watch.run);
  t.equal(exit.code, 0);
  t.match(
    logLines(watch.run).findLast((l) => l.msg === 'run failed'),
    { kind: 'lab', error: new RegExp(`^lab "${name}" is not up`) },
  );
});
