// The metrics of `prober watch`, read back from prom-client's exposition: a cell's state and verdict
// series, flips, cells a changed test dropped, failures and overruns, and which series exist from the start.

import t from 'tap';
import type { Observed } from '../../src/model/outcome.ts';
import { type CellState, cellChanges, cellId, type WatchedCell } from '../../src/model/watch-cells.ts';
import { WatchMetrics } from '../../src/orchestration/watch-metrics.ts';

const cell = (target: string, state: CellState, observed: Observed | null = 'deny'): WatchedCell => ({
  test: 'iso',
  source: 'apache',
  target,
  family: 'any',
  state,
  observed,
  reason: observed === null ? null : 'timeout',
  latencyMs: observed === null ? null : 250,
});

/** Records one run of test "iso" after `previous` (the cells of the run before), as the watch does. */
function record(metrics: WatchMetrics, cells: WatchedCell[], previous?: WatchedCell[]): void {
  const changes = cellChanges(previous && new Map(previous.map((c) => [cellId(c), c])), cells);
  metrics.recordRun('iso', {
    cells,
    ...changes,
    verdict: 'matched',
    seconds: 0.4,
    endedAt: 1_700_000_000_000,
    sourceErrors: 0,
  });
}

/** The value of one series of the exposition, by its name and labels as written; undefined when absent. */
async function value(metrics: WatchMetrics, series: string): Promise<number | undefined> {
  const { body } = await metrics.exposition();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const CELL = 'test="iso",source="apache",target="redis",family="any"';

t.test('a cell has one series per state and per verdict, 1 for the current one', async (t) => {
  const metrics = new WatchMetrics(['iso']);
  record(metrics, [cell('redis', 'matched')]);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="matched"}`), 1);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="mismatched"}`), 0);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="undecided"}`), 0);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="unchecked"}`), 0);
  t.equal(await value(metrics, `prober_cell_observed_verdict{${CELL},verdict="deny"}`), 1);
  t.equal(await value(metrics, `prober_cell_observed_verdict{${CELL},verdict="allow"}`), 0);
  t.equal(await value(metrics, `prober_cell_flips_total{${CELL}}`), 0, 'the flips counter exists at 0');
  t.equal(await value(metrics, 'prober_probe_duration_seconds_sum{test="iso"}'), 0.25, 'latency in seconds');
  t.equal(
    await value(metrics, 'prober_last_successful_run_timestamp_seconds{test="iso"}'),
    1_700_000_000,
    'Unix seconds',
  );
  t.equal(await value(metrics, 'prober_runs_total{test="iso",outcome="matched"}'), 1);
});

t.test('a flip moves the 1 and counts; a cell never observed has no verdict at 1', async (t) => {
  const metrics = new WatchMetrics(['iso']);
  const first = [cell('redis', 'matched')];
  record(metrics, first);
  const second = [cell('redis', 'undecided', null)];
  record(metrics, second, first);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="matched"}`), 0);
  t.equal(await value(metrics, `prober_cell_result{${CELL},result="undecided"}`), 1);
  for (const verdict of ['allow', 'deny', 'error'])
    t.equal(await value(metrics, `prober_cell_observed_verdict{${CELL},verdict="${verdict}"}`), 0, verdict);
  t.equal(await value(metrics, `prober_cell_flips_total{${CELL}}`), 1);
  record(metrics, second, second);
  t.equal(await value(metrics, `prober_cell_flips_total{${CELL}}`), 1, 'no change, no flip');
});

t.test('a cell the test no longer has loses its series; the others keep theirs', async (t) => {
  const metrics = new WatchMetrics(['iso']);
  const first = [cell('redis', 'matched'), cell('web', 'matched', 'allow')];
  record(metrics, first);
  record(metrics, [cell('web', 'matched', 'allow')], first);
  const { body } = await metrics.exposition();
  t.notMatch(body, /target="redis"/);
  t.match(body, /prober_cell_result\{test="iso",source="apache",target="web",family="any",result="matched"\} 1/);
});

t.test('failures, overruns and errors by kind; every run outcome and error kind exists from the start', async (t) => {
  const metrics = new WatchMetrics(['iso', 'other']);
  for (const outcome of ['matched', 'mismatched', 'undecided', 'failed'])
    t.equal(await value(metrics, `prober_runs_total{test="other",outcome="${outcome}"}`), 0, outcome);
  for (const kind of ['input', 'lab', 'source', 'run'])
    t.equal(await value(metrics, `prober_errors_total{kind="${kind}"}`), 0, kind);
  t.equal(await value(metrics, 'prober_runs_overrun_total'), 0);
  metrics.recordFailure('other', 'lab', 0.01);
  metrics.recordOverrun();
  t.equal(await value(metrics, 'prober_runs_total{test="other",outcome="failed"}'), 1);
  t.equal(await value(metrics, 'prober_errors_total{kind="lab"}'), 1);
  t.equal(await value(metrics, 'prober_runs_overrun_total'), 1);
  t.equal(
    await value(metrics, 'prober_last_successful_run_timestamp_seconds{test="other"}'),
    undefined,
    'no success, no timestamp',
  );
});

t.test('no gauge is named like a counter, and the process metrics are there', async (t) => {
  const { body, contentType } = await new WatchMetrics(['iso']).exposition();
  t.match(contentType, /^text\/plain; version=0\.0\.4/);
  const gaugesWithTotal = [...body.matchAll(/^# TYPE (\S+_total) gauge$/gm)].map((m) => m[1]);
  t.same(gaugesWithTotal, []);
  t.match(body, /^process_resident_memory_bytes \d+/m);
});

t.test("a test no longer watched loses every series of its own; the others' stay", async (t) => {
  const metrics = new WatchMetrics([]);
  metrics.addTest('team/a');
  metrics.addTest('team/b');
  for (const test of ['team/a', 'team/b'])
    metrics.recordRun(test, {
      cells: [
        {
          test,
          source: 'web',
          target: 'db',
          family: 'any',
          state: 'matched',
          observed: 'allow',
          reason: null,
          latencyMs: 2,
        },
      ],
      flips: [],
      gone: [],
      verdict: 'matched',
      seconds: 0.1,
      endedAt: 1_700_000_000_000,
      sourceErrors: 0,
    });
  metrics.recordError('api');
  metrics.removeTest('team/a');
  const { body } = await metrics.exposition();
  t.notMatch(body, /test="team\/a"/, 'no series of team/a');
  t.match(body, /prober_cell_result\{test="team\/b",source="web",target="db",family="any",result="matched"\} 1/);
  t.match(body, /prober_runs_total\{test="team\/b",outcome="matched"\} 1/);
  t.match(body, /prober_errors_total\{kind="api"\} 1/);
});
