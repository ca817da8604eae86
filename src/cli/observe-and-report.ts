// The shared tail of every probing command: observe through a backend, judge the matrix, print, exit code.

import type { Backend } from '../model/backend.ts';
import { assembleMatrix, provenAlive, type ModelVerdict } from '../model/matrix.ts';
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
  const cells = assembleMatrix({ test, observations: run.observations, ...(extras.model ? { model: extras.model } : {}) });
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
    alive: provenAlive(run.observations),
  });
  const code = interrupted ? 2 : (extras.exitCode?.(report) ?? report.exitCode);
  const final: Report = code === report.exitCode ? report : { ...report, exitCode: code };
  process.stdout.write(renderReport(final, flags.output, { color: flags.color, listAll: extras.listAll ?? false }));
  if (interrupted) process.stderr.write(`prober: interrupted by ${interrupted}; the report is incomplete\n`);
  return code;
}
