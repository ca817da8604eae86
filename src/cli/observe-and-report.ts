// The shared tail of every probing command: observe through a backend, judge the matrix, print, exit code.

import type { Backend } from '../model/backend.ts';
import { assembleMatrix, provenAlive, type ModelVerdict, type Observations } from '../model/matrix.ts';
import type { ProbeResult } from '../model/outcome.ts';
import { buildReport, type ExitCode, type Report } from '../model/report.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { renderReport } from '../report/render.ts';
import { withInterrupts } from './interrupts.ts';
import type { RunFlags } from './options.ts';
import { progressReporter } from './progress.ts';
import { PROBER_VERSION } from './version.ts';

/** Extra inputs some modes add. */
export interface ReportExtras {
  readonly model?: ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;
  /** Overrides the exit code decision for ad-hoc probing without expectations. */
  readonly exitCode?: (report: Report) => ExitCode;
  /** List every cell under the table, not only problems. */
  readonly listAll?: boolean;
}

/** Observes the test's matrix, prints the report on stdout and returns the exit code. */
export async function observeAndReport(test: ReachabilityTest, backend: Backend, flags: RunFlags, extras: ReportExtras = {}): Promise<ExitCode> {
  const startedAt = new Date();
  const started = performance.now();
  const progress = progressReporter();
  const { run, interrupted } = await withInterrupts(async (signal, interruptedBy) => {
    const result = await backend.observe(test, { signal, progress: progress.update });
    return { run: result, interrupted: interruptedBy() };
  }).finally(progress.done);
  const observations = interrupted ? markInterrupted(test, run.observations, interrupted) : run.observations;
  const cells = assembleMatrix({ test, observations, ...(extras.model ? { model: extras.model } : {}) });
  const report = buildReport({
    test,
    cells,
    metadata: {
      backend: backend.kind,
      ...(run.context ? { context: run.context } : {}),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      proberVersion: PROBER_VERSION,
    },
    ...(run.sources ? { sources: run.sources } : {}),
    alive: provenAlive(observations),
  });
  const code = interrupted ? 2 : (extras.exitCode?.(report) ?? report.exitCode);
  const final: Report = code === report.exitCode ? report : { ...report, exitCode: code };
  process.stdout.write(renderReport(final, flags.output, { color: flags.color, listAll: extras.listAll ?? false }));
  if (interrupted) process.stderr.write(`prober: interrupted by ${interrupted}; the report is incomplete\n`);
  return code;
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
      row.set(target.name, { url: target.address.url, observed: 'error', reason: 'interrupted', latencyMs: 0, attempts: 0, detail: `interrupted by ${signal} before its result was reported` });
    }
    results.set(source.name, row);
  }
  return { ...observations, results };
}
