// What the live page of `prober watch` shows: per test its last run, its matrix (each cell's state,
// expectation, observation, reason, latency, explanation) and a bounded flip history per cell, kept in
// memory from run to run. Pure: the watch feeds it, the server serialises `snapshot()`.

import type { Cell } from '../model/matrix.ts';
import { type CellState, cellState, type Flip, type RunVerdict, type StateCounts } from '../model/watch-cells.ts';
import { escapeText } from '../report/escape.ts';

/** Flips kept per cell (the oldest go first), and how many runs a flip keeps a cell marked as recent. */
export const WATCH_STATE_LIMITS = { flipsPerCell: 20, recentRuns: 10, reasonChars: 300, explanationLines: 8 };

/** One change of a cell's state, as the page lists it. */
interface FlipRecord {
  /** ISO 8601 time of the run that saw the new state. */
  readonly at: string;
  readonly run: number;
  readonly from: CellState;
  readonly to: CellState;
}

/** One cell on the page. Text from targets and manifests is escaped (no control characters). */
interface PageCell {
  readonly state: CellState;
  readonly expected: string | null;
  readonly rule: string | null;
  readonly observed: string | null;
  readonly reason: string | null;
  readonly latencyMs: number | null;
  readonly family: string;
  readonly explanation: string;
  /** The policy model's reasoning, where the run had a model. */
  readonly model: readonly string[] | null;
  /** Oldest first, at most `flipsPerCell`. */
  readonly flips: readonly FlipRecord[];
  /** The cell flipped within the last `recentRuns` runs of its test. */
  readonly recent: boolean;
}

/** One test on the page: its last completed run and matrix, and its last failure if the latest run failed. */
export interface PageTest {
  readonly name: string;
  readonly runs: number;
  readonly lastRunAt: string | null;
  readonly lastRunSeconds: number | null;
  readonly verdict: RunVerdict | null;
  readonly counts: StateCounts | null;
  readonly failure: { readonly at: string; readonly kind: string; readonly message: string } | null;
  readonly sources: readonly string[];
  readonly targets: readonly string[];
  /** `cells[source][target]`, null where the run had no such cell. */
  readonly cells: readonly (readonly (PageCell | null)[])[];
}

/** The page's whole state, as GET /state.json serves it. */
export interface PageState {
  readonly generatedAt: string;
  readonly intervalMs: number;
  readonly recentRuns: number;
  readonly tests: readonly PageTest[];
}

interface Kept {
  cell: PageCell;
  flips: FlipRecord[];
  lastFlipRun: number;
}

const clip = (text: string, max: number): string => {
  const safe = escapeText(text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const key = (source: string, target: string): string => `${source}\0${target}`;

/** The watch's memory for the page. */
export class WatchState {
  readonly #tests = new Map<string, PageTest>();
  readonly #kept = new Map<string, Map<string, Kept>>();

  readonly intervalMs: number;

  constructor(tests: readonly string[], intervalMs: number) {
    this.intervalMs = intervalMs;
    for (const name of tests) this.#tests.set(name, emptyTest(name));
  }

  /** Records a completed run: its judged cells and the flips the watch found against the previous run. */
  recordRun(
    test: string,
    run: {
      cells: readonly Cell[];
      flips: readonly Flip[];
      verdict: RunVerdict;
      counts: StateCounts;
      seconds: number;
      endedAt: number;
    },
  ): void {
    const before = this.#tests.get(test) ?? emptyTest(test);
    const runs = before.runs + 1;
    const kept = this.#kept.get(test) ?? new Map<string, Kept>();
    const flipped = new Map(run.flips.map((f) => [key(f.cell.source, f.cell.target), f.from]));
    const sources: string[] = [];
    const targets: string[] = [];
    const next = new Map<string, Kept>();
    for (const cell of run.cells) {
      if (!sources.includes(cell.from)) sources.push(cell.from);
      if (!targets.includes(cell.to)) targets.push(cell.to);
      const id = key(cell.from, cell.to);
      const old = kept.get(id);
      const flips = old?.flips ?? [];
      let lastFlipRun = old?.lastFlipRun ?? Number.NEGATIVE_INFINITY;
      const from = flipped.get(id);
      const state = cellState(cell);
      if (from !== undefined) {
        flips.push({ at: iso(run.endedAt), run: runs, from, to: state });
        if (flips.length > WATCH_STATE_LIMITS.flipsPerCell) flips.shift();
        lastFlipRun = runs;
      }
      next.set(id, {
        cell: pageCell(cell, flips, runs - lastFlipRun < WATCH_STATE_LIMITS.recentRuns),
        flips,
        lastFlipRun,
      });
    }
    this.#kept.set(test, next);
    this.#tests.set(test, {
      name: before.name,
      runs,
      lastRunAt: iso(run.endedAt),
      lastRunSeconds: Math.round(run.seconds * 1000) / 1000,
      verdict: run.verdict,
      counts: run.counts,
      failure: null,
      sources: sources.map((s) => escapeText(s)),
      targets: targets.map((s) => escapeText(s)),
      cells: sources.map((s) => targets.map((t) => next.get(key(s, t))?.cell ?? null)),
    });
  }

  /** Records a run that could not be carried out: the last matrix stays, marked as stale by the failure. */
  recordFailure(test: string, kind: string, message: string, at: number): void {
    const before = this.#tests.get(test) ?? emptyTest(test);
    this.#tests.set(test, {
      ...before,
      failure: { at: iso(at), kind, message: clip(message, WATCH_STATE_LIMITS.reasonChars) },
    });
  }

  /** Adds a test that is now watched, with no run yet. */
  addTest(test: string): void {
    if (!this.#tests.has(test)) this.#tests.set(test, emptyTest(test));
  }

  /** Forgets a test that is no longer watched. */
  removeTest(test: string): void {
    this.#tests.delete(test);
    this.#kept.delete(test);
  }

  /** Everything the page shows, as plain JSON-ready data. */
  snapshot(now: number): PageState {
    return {
      generatedAt: iso(now),
      intervalMs: this.intervalMs,
      recentRuns: WATCH_STATE_LIMITS.recentRuns,
      tests: [...this.#tests.values()],
    };
  }
}

function emptyTest(name: string): PageTest {
  return {
    name: escapeText(name),
    runs: 0,
    lastRunAt: null,
    lastRunSeconds: null,
    verdict: null,
    counts: null,
    failure: null,
    sources: [],
    targets: [],
    cells: [],
  };
}

function pageCell(cell: Cell, flips: readonly FlipRecord[], recent: boolean): PageCell {
  const max = WATCH_STATE_LIMITS.reasonChars;
  return {
    state: cellState(cell),
    expected: cell.expected,
    rule: cell.rule === null ? null : clip(cell.rule, max),
    observed: cell.observed,
    reason: cell.reason === null ? null : clip(cell.detail ? `${cell.reason}: ${cell.detail}` : cell.reason, max),
    latencyMs: cell.latencyMs,
    family: cell.family ?? 'any',
    explanation: clip(cell.explanation, max),
    model: cell.model
      ? cell.model.explanation.slice(0, WATCH_STATE_LIMITS.explanationLines).map((line) => clip(line, max))
      : null,
    flips: [...flips],
    recent,
  };
}
