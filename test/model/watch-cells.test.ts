// A watch's view of cells: their state, the flips between two runs, the cells a changed test drops, a run's verdict.

import t from 'tap';
import { assembleMatrix, type Observations } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import {
  type CellState,
  cellChanges,
  cellId,
  cellState,
  runVerdict,
  stateCounts,
  watchedCells,
} from '../../src/model/watch-cells.ts';

const address = (url: string) => {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

const test: ReachabilityTest = {
  name: 'iso',
  file: 'iso.yaml',
  defaults: DEFAULTS,
  sources: [{ name: 'apache', namespace: 'b', local: false }],
  targets: [
    { name: 'redis', address: address('redis://redis:6379'), liveness: 'none' },
    { name: 'web', address: address('http://web/'), liveness: 'none', family: 'ipv6' },
    { name: 'other', address: address('http://other/'), liveness: 'none' },
  ],
  rules: [
    { from: 'apache', to: 'redis', verdict: 'deny' },
    { from: 'apache', to: 'web', verdict: 'allow' },
  ],
  expectFromPolicies: false,
};

const probe = (observed: ProbeResult['observed'], reason: ProbeResult['reason']): ProbeResult => ({
  url: 'x',
  observed,
  reason,
  latencyMs: 3,
  attempts: 1,
});

function run(redis: ProbeResult, web: ProbeResult) {
  const observations: Observations = {
    results: new Map([
      [
        'apache',
        new Map([
          ['redis', redis],
          ['web', web],
          ['other', probe('allow', 'connected')],
        ]),
      ],
    ]),
    sourceErrors: new Map(),
    alive: new Map(),
  };
  return watchedCells('iso', assembleMatrix({ test, observations }));
}

const byTarget = (cells: ReturnType<typeof run>) => new Map(cells.map((c) => [c.target, c]));

t.test('each judged result maps to one state', async (t) => {
  const states: Record<string, CellState> = {};
  for (const result of ['pass', 'fail', 'error', 'unchecked'] as const) states[result] = cellState({ result });
  t.same(states, { pass: 'matched', fail: 'mismatched', error: 'undecided', unchecked: 'unchecked' });
});

t.test('cells keep names and family, never an address', async (t) => {
  const cells = byTarget(run(probe('deny', 'timeout'), probe('allow', 'http-200')));
  t.match(cells.get('redis'), {
    test: 'iso',
    source: 'apache',
    target: 'redis',
    family: 'any',
    state: 'matched',
    observed: 'deny',
  });
  t.match(cells.get('web'), { family: 'ipv6', state: 'matched', observed: 'allow' });
  t.match(cells.get('other'), { state: 'unchecked' });
});

t.test('a first run flips nothing; a changed state flips, an unchanged one does not', async (t) => {
  const first = run(probe('deny', 'timeout'), probe('allow', 'http-200'));
  t.same(cellChanges(undefined, first), { flips: [], gone: [] });
  const previous = new Map(first.map((c) => [cellId(c), c]));
  const second = run(probe('allow', 'connected'), probe('error', 'timeout'));
  const { flips, gone } = cellChanges(previous, second);
  t.same(
    flips.map((f) => [f.cell.target, f.from, f.cell.state]),
    [
      ['redis', 'matched', 'mismatched'],
      ['web', 'matched', 'undecided'],
    ],
  );
  t.same(gone, []);
  t.same(cellChanges(new Map(second.map((c) => [cellId(c), c])), second).flips, [], 'the same run again flips nothing');
});

t.test('cells a changed test no longer has are gone', async (t) => {
  const first = run(probe('deny', 'timeout'), probe('allow', 'http-200'));
  const previous = new Map(first.map((c) => [cellId(c), c]));
  const { gone } = cellChanges(
    previous,
    first.filter((c) => c.target !== 'web'),
  );
  t.same(
    gone.map((c) => c.target),
    ['web'],
  );
});

t.test(
  'a run is mismatched before undecided, undecided before matched, and undecided when nothing was checked',
  async (t) => {
    const counts = (over: Partial<Record<CellState, number>>) => ({
      matched: 0,
      mismatched: 0,
      undecided: 0,
      unchecked: 0,
      ...over,
    });
    t.equal(runVerdict(counts({ matched: 3, mismatched: 1, undecided: 1 })), 'mismatched');
    t.equal(runVerdict(counts({ matched: 3, undecided: 1 })), 'undecided');
    t.equal(runVerdict(counts({ matched: 3, unchecked: 2 })), 'matched');
    t.equal(runVerdict(counts({ unchecked: 2 })), 'undecided');
    t.same(stateCounts(run(probe('allow', 'connected'), probe('allow', 'http-200'))), {
      matched: 1,
      mismatched: 1,
      undecided: 0,
      unchecked: 1,
    });
  },
);
