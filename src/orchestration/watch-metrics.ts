// The metrics of `prober watch` (prom-client): per cell its state, observed verdict and flips; per test
// its runs, their duration, probe latency and last success; rounds that overran; errors by kind.
// Names and the series count are documented in docs/watch.md.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  CELL_STATES,
  type CellKey,
  type Flip,
  OBSERVED_VERDICTS,
  type RunVerdict,
  type WatchedCell,
} from '../model/watch-cells.ts';

/** What a run of one test ended as: its verdict, or `failed` (it could not run: bad input, lab down). */
type RunOutcome = RunVerdict | 'failed';
const RUN_OUTCOMES: readonly RunOutcome[] = ['matched', 'mismatched', 'undecided', 'failed'];

/** Why something went wrong, the `kind` label of `prober_errors_total`. */
export type ErrorKind = 'input' | 'lab' | 'source' | 'run' | 'api';
const ERROR_KINDS: readonly ErrorKind[] = ['input', 'lab', 'source', 'run', 'api'];

/** prom-client's default gauges whose names end in `_total`, left out. */
const NOT_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const CELL_LABELS = ['test', 'source', 'target', 'family'] as const;

/** A test run takes from well under a second (a few cells) to minutes (large matrices, timeouts). */
const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** One probe: loopback-fast to a timeout's worth (a timeout is an error cell, still a latency). */
const PROBE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The watch's metrics in a registry of their own (plus Node's process metrics: memory, CPU, descriptors). */
export class WatchMetrics {
  readonly registry = new Registry();
  readonly #cellResult = new Gauge({
    name: 'prober_cell_result',
    help: "1 for the cell's current state (matched, mismatched, undecided, unchecked), 0 for the others",
    labelNames: [...CELL_LABELS, 'result'],
    registers: [this.registry],
  });
  readonly #cellObserved = new Gauge({
    name: 'prober_cell_observed_verdict',
    help: '1 for what the last run observed in the cell (allow, deny, error), 0 for the others; all 0 when not observed',
    labelNames: [...CELL_LABELS, 'verdict'],
    registers: [this.registry],
  });
  readonly #cellFlips = new Counter({
    name: 'prober_cell_flips_total',
    help: "Times the cell's state changed from one run of its test to the next",
    labelNames: CELL_LABELS,
    registers: [this.registry],
  });
  readonly #runs = new Counter({
    name: 'prober_runs_total',
    help: 'Runs of a test by outcome: matched, mismatched, undecided, or failed (could not run)',
    labelNames: ['test', 'outcome'],
    registers: [this.registry],
  });
  readonly #runDuration = new Histogram({
    name: 'prober_run_duration_seconds',
    help: 'How long a run of a test took, from reading its file to its judged matrix',
    labelNames: ['test'],
    buckets: RUN_BUCKETS,
    registers: [this.registry],
  });
  readonly #probeDuration = new Histogram({
    name: 'prober_probe_duration_seconds',
    help: "How long a cell's probe took (its last attempt), for every observed cell",
    labelNames: ['test'],
    buckets: PROBE_BUCKETS,
    registers: [this.registry],
  });
  readonly #lastSuccess = new Gauge({
    name: 'prober_last_successful_run_timestamp_seconds',
    help: 'When a run of the test last completed and judged its matrix (whatever its verdict), Unix time',
    labelNames: ['test'],
    registers: [this.registry],
  });
  readonly #overruns = new Counter({
    name: 'prober_runs_overrun_total',
    help: "Rounds (every test once; in a cluster, one resource's run) longer than the interval; the next started when it ended",
    registers: [this.registry],
  });
  readonly #errors = new Counter({
    name: 'prober_errors_total',
    help: 'Errors by kind: input (a test), lab (its state), source (a source that could not probe), run, api (a status, Event or watch the API server failed)',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  constructor(tests: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges prom-client names with `_total`, which Prometheus reserves for counters (promtool check metrics).
    for (const name of NOT_COUNTERS) this.registry.removeSingleMetric(name);
    // Every series a dashboard or an alert reads exists from the start, at zero.
    this.#overruns.inc(0);
    for (const kind of ERROR_KINDS) this.#errors.inc({ kind }, 0);
    for (const test of tests) this.addTest(test);
  }

  /** The cells last recorded per test, so that a test's series can all be removed. */
  readonly #cells = new Map<string, readonly WatchedCell[]>();

  /** Starts the series of a test that is now watched (its runs by outcome, at zero). */
  addTest(test: string): void {
    for (const outcome of RUN_OUTCOMES) this.#runs.inc({ test, outcome }, 0);
  }

  /** Removes every series of a test that is no longer watched (a deleted ReachabilityTest). */
  removeTest(test: string): void {
    for (const cell of this.#cells.get(test) ?? []) this.#forget(cell);
    this.#cells.delete(test);
    for (const outcome of RUN_OUTCOMES) this.#runs.remove({ test, outcome });
    for (const metric of [this.#runDuration, this.#probeDuration, this.#lastSuccess]) metric.remove({ test });
  }

  /** Records a completed run of `test`: its cells, their flips and the cells it no longer has. */
  recordRun(
    test: string,
    run: {
      readonly cells: readonly WatchedCell[];
      readonly flips: readonly Flip[];
      readonly gone: readonly WatchedCell[];
      readonly verdict: RunVerdict;
      readonly seconds: number;
      readonly endedAt: number;
      readonly sourceErrors: number;
    },
  ): void {
    for (const cell of run.gone) this.#forget(cell);
    this.#cells.set(test, run.cells);
    for (const cell of run.cells) {
      const labels = cellLabels(cell);
      for (const result of CELL_STATES) this.#cellResult.set({ ...labels, result }, cell.state === result ? 1 : 0);
      for (const verdict of OBSERVED_VERDICTS)
        this.#cellObserved.set({ ...labels, verdict }, cell.observed === verdict ? 1 : 0);
      this.#cellFlips.inc(labels, 0);
      if (cell.observed !== null && cell.latencyMs !== null)
        this.#probeDuration.observe({ test }, cell.latencyMs / 1000);
    }
    for (const { cell } of run.flips) this.#cellFlips.inc(cellLabels(cell));
    this.#runs.inc({ test, outcome: run.verdict });
    this.#runDuration.observe({ test }, run.seconds);
    this.#lastSuccess.set({ test }, run.endedAt / 1000);
    if (run.sourceErrors > 0) this.#errors.inc({ kind: 'source' }, run.sourceErrors);
  }

  /** Records a run of `test` that could not be carried out. */
  recordFailure(test: string, kind: ErrorKind, seconds: number): void {
    this.#runs.inc({ test, outcome: 'failed' });
    this.#runDuration.observe({ test }, seconds);
    this.#errors.inc({ kind });
  }

  /** Records an error outside a run (`api`: a status or Event write given up, a failed watch). */
  recordError(kind: ErrorKind): void {
    this.#errors.inc({ kind });
  }

  /** Records a round that took longer than the interval. */
  recordOverrun(): void {
    this.#overruns.inc();
  }

  /** The exposition, in Prometheus's text format. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #forget(cell: WatchedCell): void {
    const labels = cellLabels(cell);
    for (const result of CELL_STATES) this.#cellResult.remove({ ...labels, result });
    for (const verdict of OBSERVED_VERDICTS) this.#cellObserved.remove({ ...labels, verdict });
    this.#cellFlips.remove(labels);
  }
}

/** A cell's labels: names only, never an address (a pod IP would make a new series on every restart). */
function cellLabels(cell: CellKey & { readonly family: string }): Record<(typeof CELL_LABELS)[number], string> {
  return { test: cell.test, source: cell.source, target: cell.target, family: cell.family };
}
