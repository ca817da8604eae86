// Where a watch's runs go, for the lab watch (watch.ts) and the in-cluster one (watch-cluster.ts) alike:
// the metrics, the live page, and the log lines (one per run, one per cell that flipped). A run that
// completed is recorded with its judged cells; one that failed with its kind and one-line message.

import { ConfigError } from '../config/config-error.ts';
import type { Io } from '../model/io.ts';
import type { Cell } from '../model/matrix.ts';
import type { JudgedRun } from '../model/watch-cells.ts';
import type { RunReport } from './watch-controller.ts';
import type { ErrorKind, WatchMetrics } from './watch-metrics.ts';
import type { WatchState } from './watch-state.ts';

/** The metrics and the live page of one watch, and where it logs. */
export interface WatchSinks {
  readonly metrics: WatchMetrics;
  readonly page: WatchState;
  readonly io: Pick<Io, 'log' | 'now'>;
}

/** A completed run: its matrix and its judgement against the previous run. */
interface CompletedRun {
  readonly matrix: readonly Cell[];
  readonly judged: JudgedRun;
  readonly seconds: number;
  readonly sourceErrors: number;
  /** Added to the run's log line (the lab watch's round). */
  readonly logFields?: Readonly<Record<string, string | number | boolean>>;
}

/** Records a completed run of `test` in the metrics and on the page, and logs it and its flips. */
export function recordCompleted({ metrics, page, io }: WatchSinks, test: string, run: CompletedRun): void {
  const { cells, changes, counts, verdict } = run.judged;
  const endedAt = io.now();
  metrics.recordRun(test, {
    cells,
    ...changes,
    verdict,
    seconds: run.seconds,
    endedAt,
    sourceErrors: run.sourceErrors,
  });
  page.recordRun(test, { cells: run.matrix, flips: changes.flips, verdict, counts, seconds: run.seconds, endedAt });
  io.log.log(1, 'run', {
    test,
    ...run.logFields,
    verdict,
    cells: cells.length,
    ...counts,
    durationMs: Math.round(run.seconds * 1000),
  });
  for (const { cell, from } of changes.flips)
    io.log.log(1, 'cell flipped', {
      test,
      source: cell.source,
      target: cell.target,
      family: cell.family,
      from,
      to: cell.state,
      observed: cell.observed ?? 'none',
      reason: cell.reason ?? 'none',
    });
}

/** The first line of an error; a ConfigError says where (file:line: field: what), as bad input at start prints it. */
function errorLine(error: unknown): string {
  const text = error instanceof ConfigError ? error.toString() : error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

/** Records a run of `test` that could not be carried out, and logs it. */
export function recordFailed(
  { metrics, page, io }: WatchSinks,
  test: string,
  failure: { readonly kind: ErrorKind; readonly error: unknown; readonly seconds: number },
  logFields: Readonly<Record<string, string | number | boolean>> = {},
): void {
  const message = errorLine(failure.error);
  metrics.recordFailure(test, failure.kind, failure.seconds);
  page.recordFailure(test, failure.kind, message, io.now());
  io.log.log(1, 'run failed', { test, ...logFields, kind: failure.kind, error: message });
}

/** Records what the in-cluster controller reports of a run (test = `namespace/name`). */
export function recordRunReport(sinks: WatchSinks, test: string, report: RunReport, sourceErrors: number): void {
  const { outcome } = report;
  const seconds = outcome.durationMs / 1000;
  if (outcome.kind === 'completed')
    recordCompleted(sinks, test, { matrix: report.cells ?? [], judged: outcome.run, seconds, sourceErrors });
  else
    recordFailed(sinks, test, {
      kind: report.error instanceof ConfigError ? 'input' : 'run',
      error: report.error ?? new Error(outcome.message),
      seconds,
    });
}
