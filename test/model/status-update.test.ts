// The status a ReachabilityTest resource gets after a run (src/model/status-update.ts): the verdict and
// its conditions, transition times kept while a condition holds, counts, the cells that are off, the
// flip history bounded, a failed run keeping the last completed run's findings; and every status it
// makes is valid against the CRD's status schema (k8s/prober/watch/crd.yaml, checked as the fake API
// server checks it).

import t from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { MAX_FLIPS, MAX_OFF_CELLS, type ReachabilityStatus } from '../../src/model/reachability-status.ts';
import { nextStatus, type RunOutcome } from '../../src/model/status-update.ts';
import { judgeRun, type WatchedCell } from '../../src/model/watch-cells.ts';
import { CustomResourceSchema } from '../cluster/fake/openapi.ts';
import { cannedMatrix } from '../helpers/watch-fixtures.ts';

const crd = reachabilityTestCrd() as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
const schema = new CustomResourceSchema(crd.spec.versions[0]!.schema.openAPIV3Schema);
const valid = (status: ReachabilityStatus): string[] =>
  schema.errors({
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name: 'x' },
    spec: { sources: { a: {} }, targets: { b: { url: 'tcp://b:1' } }, expect: 'fromPolicies' },
    status,
  });

const at = (second: number): Date => new Date(Date.UTC(2026, 11, 7, 15, 0, second));

/** Runs a sequence of canned matrices through judgeRun and nextStatus, as the controller does. */
function runs(matrices: ReturnType<typeof cannedMatrix>[]): ReachabilityStatus[] {
  let previous: ReadonlyMap<string, WatchedCell> | undefined;
  let status: ReachabilityStatus | undefined;
  const out: ReachabilityStatus[] = [];
  for (const [i, matrix] of matrices.entries()) {
    const run = judgeRun('x', matrix, previous);
    previous = run.byId;
    status = nextStatus(status, { kind: 'completed', run, startedAt: at(i), durationMs: 250 }, 3);
    out.push(status);
  }
  return out;
}

t.test('a matched run, then a drift: verdict, conditions, counts, off cells and a flip', async (t) => {
  const [first, second] = runs([cannedMatrix(['a'], ['b', 'c']), cannedMatrix(['a'], ['b', 'c'], { 'a→c': 'fail' })]);
  t.match(first, {
    verdict: 'Matched',
    observedGeneration: 3,
    cells: { total: 2, matched: 2, off: 0 },
    lastRun: { startTime: '2026-12-07T15:00:00Z', durationSeconds: 0.25, outcome: 'Completed' },
    offCells: [],
    flips: [],
  });
  t.match(first!.conditions, [
    { type: 'Matched', status: 'True', reason: 'AllCellsMatched', lastTransitionTime: '2026-12-07T15:00:00Z' },
    { type: 'Drifted', status: 'False', reason: 'NotThisVerdict' },
    { type: 'Undecided', status: 'False' },
  ]);
  t.match(second, { verdict: 'Drifted', cells: { mismatched: 1, off: 1 } });
  t.same(second!.offCells, [{ source: 'a', target: 'c', family: 'any', state: 'mismatched', reason: 'deny: refused' }]);
  t.same(second!.flips, [
    { time: '2026-12-07T15:00:01Z', source: 'a', target: 'c', family: 'any', from: 'matched', to: 'mismatched' },
  ]);
  const drifted = second!.conditions.find((c) => c.type === 'Drifted')!;
  t.match(drifted, { status: 'True', reason: 'CellsMismatched', lastTransitionTime: '2026-12-07T15:00:01Z' });
  const undecided = second!.conditions.find((c) => c.type === 'Undecided')!;
  t.equal(undecided.lastTransitionTime, '2026-12-07T15:00:00Z', 'a condition that stays False keeps its time');
  t.same([...valid(first!), ...valid(second!)], []);
});

t.test('the flip history keeps the newest MAX_FLIPS; off cells are listed up to MAX_OFF_CELLS', async (t) => {
  const good = cannedMatrix(['a'], ['b']);
  const bad = cannedMatrix(['a'], ['b'], { 'a→b': 'fail' });
  const statuses = runs(Array.from({ length: MAX_FLIPS + 6 }, (_, i) => (i % 2 ? bad : good)));
  const last = statuses.at(-1)!;
  t.equal(last.flips?.length, MAX_FLIPS);
  t.equal(last.flips?.at(-1)?.time, '2026-12-07T15:00:25Z', 'the newest is last');
  t.same(valid(last), []);
  const targets = Array.from({ length: MAX_OFF_CELLS + 5 }, (_, i) => `t${i}`);
  const wide = runs([cannedMatrix(['a'], targets, Object.fromEntries(targets.map((to) => [`a→${to}`, 'error'])))])[0]!;
  t.equal(wide.offCells?.length, MAX_OFF_CELLS);
  t.equal(wide.cells?.off, MAX_OFF_CELLS + 5, 'the counts cover all');
  t.match(wide, { verdict: 'Undecided' });
  t.match(
    wide.conditions.find((c) => c.type === 'Undecided'),
    { status: 'True', reason: 'CellsUndecided' },
  );
  t.same(valid(wide), []);
});

t.test(
  'a failed run keeps the findings of the last completed one; a run that checks nothing is Undecided',
  async (t) => {
    const [done] = runs([cannedMatrix(['a'], ['b'], { 'a→b': 'fail' })]);
    const failure: RunOutcome = {
      kind: 'failed',
      message: 'the test names no source pod',
      startedAt: at(9),
      durationMs: 10,
    };
    const failed = nextStatus(done, failure, 4);
    t.match(failed, {
      verdict: 'Failed',
      observedGeneration: 4,
      lastRun: { outcome: 'Failed', message: 'the test names no source pod' },
    });
    t.same(failed.cells, done!.cells);
    t.same(failed.flips, done!.flips);
    t.ok(failed.conditions.every((c) => c.status === 'Unknown' && c.reason === 'RunFailed'));
    t.same(valid(failed), []);
    const [nothing] = runs([cannedMatrix(['a'], ['b'], { 'a→b': 'unchecked' })]);
    t.match(
      nothing!.conditions.find((c) => c.type === 'Undecided'),
      { status: 'True', reason: 'NothingChecked' },
    );
    const first = nextStatus(undefined, failure, 1);
    t.same(valid(first), [], 'a first run that failed is a valid status too');
  },
);
