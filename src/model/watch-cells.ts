// What a watch keeps of each cell between runs: its state (matched, mismatched, undecided, unchecked)
// and which cells changed state since the previous run (flips). Pure: the metrics and logs are built on it.

import type { Cell } from './matrix.ts';
import type { Observed } from './outcome.ts';

/**
 * A cell's state as a watch reports it: `matched` (observed as expected), `mismatched` (observed the
 * other way), `undecided` (a checked cell that could not be observed as allow or deny: trust rule 2),
 * `unchecked` (no rule and no model names it). Every state is one series of `prober_cell_result`.
 */
export const CELL_STATES = ['matched', 'mismatched', 'undecided', 'unchecked'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** What a probe can have observed, each one series of `prober_cell_observed_verdict`. */
export const OBSERVED_VERDICTS = ['allow', 'deny', 'error'] as const satisfies readonly Observed[];

const STATE_OF_RESULT: Readonly<Record<Cell['result'], CellState>> = {
  pass: 'matched',
  fail: 'mismatched',
  error: 'undecided',
  unchecked: 'unchecked',
};

/** The state of a judged cell. */
export function cellState(cell: Pick<Cell, 'result'>): CellState {
  return STATE_OF_RESULT[cell.result];
}

/** What identifies a cell across runs: its test, source and target (a target name is unique in its test). */
export interface CellKey {
  readonly test: string;
  readonly source: string;
  readonly target: string;
}

/** One cell as the watch last saw it. */
export interface WatchedCell extends CellKey {
  /** The IP family the target pins, or `any`. */
  readonly family: string;
  readonly state: CellState;
  readonly observed: Observed | null;
  readonly reason: string | null;
  readonly latencyMs: number | null;
}

/** A cell whose state changed from one completed run to the next. */
export interface Flip {
  readonly cell: WatchedCell;
  readonly from: CellState;
}

/** The cells of one run of one test, as the watch keeps them. */
export function watchedCells(test: string, cells: Iterable<Cell>): WatchedCell[] {
  const out: WatchedCell[] = [];
  for (const cell of cells)
    out.push({
      test,
      source: cell.from,
      target: cell.to,
      family: cell.family ?? 'any',
      state: cellState(cell),
      observed: cell.observed,
      reason: cell.reason,
      latencyMs: cell.latencyMs,
    });
  return out;
}

/** The key of a cell as one string (the names cannot hold a NUL). */
export function cellId(key: CellKey): string {
  return `${key.test}\0${key.source}\0${key.target}`;
}

/** What changed between a test's previous run and this one. */
export interface CellChanges {
  /** Cells whose state differs from the previous run; none on a test's first run (nothing to flip from). */
  readonly flips: readonly Flip[];
  /** Cells of the previous run that this run no longer has (the test was edited): their series go. */
  readonly gone: readonly WatchedCell[];
}

/** Compares a test's cells with its previous run's (undefined: the first run). */
export function cellChanges(
  previous: ReadonlyMap<string, WatchedCell> | undefined,
  current: readonly WatchedCell[],
): CellChanges {
  if (!previous) return { flips: [], gone: [] };
  const flips: Flip[] = [];
  const seen = new Set<string>();
  for (const cell of current) {
    const id = cellId(cell);
    seen.add(id);
    const before = previous.get(id);
    if (before && before.state !== cell.state) flips.push({ cell, from: before.state });
  }
  const gone = [...previous.entries()].filter(([id]) => !seen.has(id)).map(([, cell]) => cell);
  return { flips, gone };
}

/** Counts of a run's cells by state. */
export type StateCounts = Readonly<Record<CellState, number>>;

export function stateCounts(cells: readonly WatchedCell[]): StateCounts {
  const counts: Record<CellState, number> = { matched: 0, mismatched: 0, undecided: 0, unchecked: 0 };
  for (const cell of cells) counts[cell.state]++;
  return counts;
}

/**
 * The verdict of one run of a test: `mismatched` when any cell is, else `undecided` when any checked
 * cell is (or nothing was checked), else `matched`. A mismatch comes first, unlike in `lab test`'s exit
 * code (2 before 1): a watch is asked above all whether the network drifted from the intent.
 */
export type RunVerdict = 'matched' | 'mismatched' | 'undecided';

export function runVerdict(counts: StateCounts): RunVerdict {
  if (counts.mismatched > 0) return 'mismatched';
  if (counts.undecided > 0 || counts.matched === 0) return 'undecided';
  return 'matched';
}

/** One judged run of a test, as the watch keeps it: its cells, what changed, the counts and verdict. */
export interface JudgedRun {
  readonly cells: readonly WatchedCell[];
  readonly changes: CellChanges;
  readonly counts: StateCounts;
  readonly verdict: RunVerdict;
  /** The cells by id: the `previous` of the next run. */
  readonly byId: ReadonlyMap<string, WatchedCell>;
}

/** Judges a run's matrix against the test's previous run (none for the first). */
export function judgeRun(
  test: string,
  matrix: Iterable<Cell>,
  previous: ReadonlyMap<string, WatchedCell> | undefined,
): JudgedRun {
  const cells = watchedCells(test, matrix);
  const counts = stateCounts(cells);
  return {
    cells,
    changes: cellChanges(previous, cells),
    counts,
    verdict: runVerdict(counts),
    byId: new Map(cells.map((cell) => [cellId(cell), cell])),
  };
}
