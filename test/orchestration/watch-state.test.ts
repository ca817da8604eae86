// The live page's state: the cells of real (simulated) runs with their expectation, observation,
// explanation and the policy model's reasoning; flips with their run and time, bounded per cell;
// the "flipped lately" mark that fades; a failed run shown over the last matrix.

import t from 'tap';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { type PageState, type PageTest, WATCH_STATE_LIMITS, WatchState } from '../../src/orchestration/watch-state.ts';
import { inputIo } from '../helpers/input-io.ts';
import { ROOT } from '../helpers/prober.ts';
import { EXPECTATIONS, recorder, simulatedRun, watchedState } from '../helpers/watch-runs.ts';

const START = Date.UTC(2026, 0, 1);
const INTO_REDIS = ['apache', 'ingress', 'redis'];

function cellOf(state: PageState, source: string, target: string) {
  const test = state.tests[0] as PageTest;
  const cell = test.cells[test.sources.indexOf(source)]?.[test.targets.indexOf(target)];
  if (!cell) throw new Error(`no cell ${source} → ${target}`);
  return cell;
}

t.test('a run without the policies shows the cells into Redis mismatched, with why', async (t) => {
  const snapshot = (await watchedState([true, false], START)).snapshot(START + 120_000);
  const test = snapshot.tests[0]!;
  t.equal(test.name, 'lab-redis-isolation');
  t.same(test.sources, ['ingress', 'apache', 'app', 'redis']);
  t.same(test.targets, ['ingress', 'apache', 'app', 'redis']);
  t.equal(test.runs, 2);
  t.equal(test.verdict, 'mismatched');
  t.same(test.counts, { matched: 13, mismatched: 3, undecided: 0, unchecked: 0 });
  t.equal(test.lastRunAt, '2026-01-01T00:01:00.000Z');
  const cell = cellOf(snapshot, 'apache', 'redis');
  t.equal(cell.state, 'mismatched');
  t.equal(cell.expected, 'deny');
  t.equal(cell.rule, 'case 2');
  t.equal(cell.observed, 'allow');
  t.ok(cell.model && cell.model.length > 0, 'the policy model says why it is allowed');
  t.match(cell.explanation, /written intent says deny, policy model says allow, observed allow/);
  t.same(cell.flips, [{ at: '2026-01-01T00:01:00.000Z', run: 2, from: 'matched', to: 'mismatched' }]);
  t.equal(cell.recent, true);
  t.equal(cellOf(snapshot, 'app', 'redis').state, 'matched', 'the time app keeps its way in');
  t.same(cellOf(snapshot, 'app', 'redis').flips, []);
  t.equal(cellOf(snapshot, 'app', 'redis').recent, false);
});

t.test('flips are kept in order, bounded per cell, and stop standing out after some runs', async (t) => {
  const test = await loadReachabilityTest(EXPECTATIONS, inputIo(ROOT));
  const runs = [await simulatedRun(test, true), await simulatedRun(test, false)];
  const state = new WatchState([test.name], 1000);
  const feed = recorder(state, test.name, 0.1);
  const record = (i: number, cells: (typeof runs)[number]) => feed(cells, START + i * 1000);
  const total = 2 * WATCH_STATE_LIMITS.flipsPerCell + 5;
  for (let i = 0; i < total; i++) record(i, runs[i % 2]!);
  for (const source of INTO_REDIS) {
    const flips = cellOf(state.snapshot(0), source, 'redis').flips;
    t.equal(flips.length, WATCH_STATE_LIMITS.flipsPerCell, `${source} → redis: the history is bounded`);
    t.equal(flips.at(-1)?.run, total, 'the newest kept');
    t.equal(flips[0]?.run, total - WATCH_STATE_LIMITS.flipsPerCell + 1, 'the oldest dropped');
    t.ok(
      flips.every((f, i) => i === 0 || f.from === flips[i - 1]!.to),
      'each flip starts where the last ended',
    );
  }
  // The last run was without policies (index total-1 is even: total is odd); then the same state runs on.
  for (let i = 0; i < WATCH_STATE_LIMITS.recentRuns - 1; i++) record(total + i, runs[0]!);
  t.equal(cellOf(state.snapshot(0), 'apache', 'redis').recent, true, 'still recent within the window');
  record(total + WATCH_STATE_LIMITS.recentRuns, runs[0]!);
  t.equal(cellOf(state.snapshot(0), 'apache', 'redis').recent, false, 'no longer recent after the window');
  t.equal(cellOf(state.snapshot(0), 'apache', 'redis').flips.length, WATCH_STATE_LIMITS.flipsPerCell, 'history kept');
});

t.test('a failed run is shown over the last matrix, escaped and clipped', async (t) => {
  const state = await watchedState([true], START);
  state.recordFailure('lab-redis-isolation', 'input', `bad\u001b[2J${'x'.repeat(1000)}`, START + 5000);
  const test = state.snapshot(START + 6000).tests[0]!;
  t.equal(test.verdict, 'matched', 'the last completed run stays');
  t.equal(test.failure?.at, '2026-01-01T00:00:05.000Z');
  t.equal(test.failure?.kind, 'input');
  t.match(test.failure?.message, /^bad\\x1b\[2Jxxx/);
  t.equal(test.failure?.message.length, WATCH_STATE_LIMITS.reasonChars);
  state.recordFailure('never-ran', 'lab', 'lab "x" is not up', START);
  t.equal(state.snapshot(0).tests[1]?.runs, 0, 'a test with no run yet still appears');
});

t.test('a test with no run yet is listed empty', async (t) => {
  const snapshot = new WatchState(['a', 'b'], 5000).snapshot(START);
  t.same(snapshot, {
    generatedAt: '2026-01-01T00:00:00.000Z',
    intervalMs: 5000,
    recentRuns: WATCH_STATE_LIMITS.recentRuns,
    tests: ['a', 'b'].map((name) => ({
      name,
      runs: 0,
      lastRunAt: null,
      lastRunSeconds: null,
      verdict: null,
      counts: null,
      failure: null,
      sources: [],
      targets: [],
      cells: [],
    })),
  });
});
