// The shared tail of every probing command: observe through a backend, judge the matrix, print, exit code.

import type { Backend } from '../model/backend.ts';
import type { Io } from '../model/io.ts';
import { type ModelVerdict, matrixRows, type Observations, provenAlive, runEvidence } from '../model/matrix.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { CheckResult } from '../model/report.ts';
import {
  type Counts,
  checksExitCode,
  type ExitCode,
  exitCodeFor,
  streamReport,
  worseExitCode,
} from '../model/report.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { nowMs } from '../probe/clock.ts';
import { formatProblem } from '../report/fit.ts';
import type { TableStyle } from '../report/formats.ts';
import { writeReport } from '../report/write.ts';
import { withInterrupts } from './interrupts.ts';
import { progressReporter } from './progress.ts';
import type { RunFlags } from './run-flags.ts';
import { UsageError } from './usage-error.ts';
import { PROBER_VERSION } from './version.ts';

/** Extra inputs some modes add. */
export interface ReportExtras {
  readonly model?: ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;
  /** Overrides the exit code decision for ad-hoc probing without expectations. */
  readonly exitCode?: (counts: Counts) => ExitCode;
  /** List every cell under the table, not only problems. */
  readonly listAll?: boolean;
  /** Runs the test's checks beyond the matrix (`spec.checks`) once the matrix is observed. */
  readonly checks?: (signal: AbortSignal, progress: (message: string) => void) => Promise<readonly CheckResult[]>;
}

/**
 * Observes the test's matrix, writes the report on `io`'s stdout and returns the exit code. A format that
 * cannot hold a matrix of the test's size is refused before anything is observed; the report is
 * written cell by cell, so its size is bounded by nothing but the reader.
 */
export async function observeAndReport(
  test: ReachabilityTest,
  backend: Backend,
  flags: RunFlags,
  io: Io,
  extras: ReportExtras = {},
): Promise<ExitCode> {
  const unfit = formatProblem(
    flags.output,
    test.sources.map((s) => s.name),
    test.targets.map((t) => t.name),
    renderFlags(flags),
  );
  if (unfit) throw new UsageError(unfit);
  const startedAt = new Date(io.now());
  // process.hrtime (probe/clock.ts), not `performance`, whose first use loads perf_hooks at every probe's start.
  const started = nowMs();
  const { log } = io;
  log.log(1, 'observing', {
    test: test.name,
    backend: backend.kind,
    sources: test.sources.length,
    targets: test.targets.length,
  });
  // Log lines and a line rewritten in place do not mix: with -v, the progress messages are log lines (-vv).
  const progress = log.level > 0 ? undefined : progressReporter(io.stderr, io.now);
  const update = (message: string): void => {
    log.log(2, message);
    progress?.update(message);
  };
  const { run, checks, interrupted } = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    const result = await backend.observe(test, { signal, progress: update });
    const checks = extras.checks && !signal.aborted ? await extras.checks(signal, update) : undefined;
    return { run: result, checks, interrupted: interruptedBy() };
  }).finally(() => progress?.done());
  log.log(1, 'observed', {
    durationMs: Math.round(nowMs() - started),
    ...(interrupted ? { interrupted } : {}),
  });
  const observations = interrupted ? markInterrupted(test, run.observations, interrupted) : run.observations;
  const alive = provenAlive(observations);
  const model = extras.model;
  // The evidence the mismatch causes are checked against, gathered once over the whole run.
  const evidence = model ? runEvidence({ test, observations, model }, alive) : undefined;
  const report = streamReport({
    test,
    rows: () => matrixRows({ test, observations, alive, ...(model && evidence ? { model, run: evidence } : {}) }),
    metadata: {
      backend: backend.kind,
      ...(run.context ? { context: run.context } : {}),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(nowMs() - started),
      proberVersion: PROBER_VERSION,
    },
    ...(run.sources ? { sources: run.sources } : {}),
    alive,
    ...(checks ? { checks } : {}),
    exitCode: (counts) => {
      if (interrupted) return 2;
      const cells = extras.exitCode?.(counts) ?? exitCodeFor(counts);
      return checks ? worseExitCode(cells, checksExitCode(checks)) : cells;
    },
  });
  const { exitCode, counts } = await writeReport(
    report,
    flags.output,
    {
      color: flags.color,
      listAll: extras.listAll ?? false,
      ...renderFlags(flags),
    },
    io.stdout,
  );
  const { cells, pass, fail, error, unchecked } = counts;
  log.log(1, 'reported', { output: flags.output, cells, pass, fail, error, unchecked, exitCode });
  if (interrupted) io.stderr.write(`prober: interrupted by ${interrupted}; the report is incomplete\n`);
  return exitCode;
}

/** The table style and terminal width among the flags, for the renderers. */
function renderFlags(flags: RunFlags): { table?: TableStyle; width?: number } {
  return {
    ...(flags.table ? { table: flags.table } : {}),
    ...(flags.width ? { width: flags.width } : {}),
  };
}

/**
 * The partial report of an interrupted run: a cell the backend had no result for (its agent was
 * stopped mid-plan) is an `error/interrupted` cell, never a deny and never silently missing. Sources
 * that failed for their own reason keep it.
 */
function markInterrupted(test: ReachabilityTest, observations: Observations, signal: string): Observations {
  const results = new Map(observations.results);
  for (const source of test.sources) {
    if (observations.sourceErrors.has(source.name)) continue;
    const row = new Map<string, ProbeResult>(results.get(source.name) ?? []);
    for (const target of test.targets) {
      if (row.has(target.name)) continue;
      row.set(target.name, {
        url: target.address.url,
        observed: 'error',
        reason: 'interrupted',
        latencyMs: 0,
        attempts: 0,
        detail: `interrupted by ${signal} before its result was reported`,
      });
    }
    results.set(source.name, row);
  }
  return { ...observations, results };
}
