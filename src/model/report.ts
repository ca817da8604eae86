// The report every mode produces: a versioned document with metadata, cells, summary and exit code.

import type { Cell } from './matrix.ts';
import type { CellResult } from './outcome.ts';
import type { ReachabilityTest } from './test-spec.ts';

export const API_VERSION = 'prober/v1alpha1';
export const REPORT_KIND = 'ReachabilityReport';

/** Which backend observed the cells. */
export type BackendKind = 'local' | 'lab' | 'cluster' | 'simulated';

/** Run metadata: where and when the matrix was observed. */
export interface ReportMetadata {
  readonly test: string;
  readonly backend: BackendKind;
  readonly context?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly proberVersion: string;
}

/** Counts of cells by result. */
export interface Summary {
  readonly cells: number;
  readonly checked: number;
  readonly pass: number;
  readonly fail: number;
  readonly error: number;
  readonly unchecked: number;
}

/** Exit codes a pipeline can trust. */
export type ExitCode = 0 | 1 | 2;

/** A source as reported: its selector and, where the backend knows, the pod it probed from. */
export interface ReportSource {
  readonly name: string;
  readonly namespace?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly local?: boolean;
  readonly pod?: string;
  readonly error?: string;
}

/** The whole report, serialised as-is by the JSON renderer. */
export interface Report {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof REPORT_KIND;
  readonly metadata: ReportMetadata;
  readonly sources: readonly ReportSource[];
  readonly targets: readonly { readonly name: string; readonly url: string; readonly alive?: string }[];
  readonly cells: readonly Cell[];
  readonly summary: Summary;
  readonly exitCode: ExitCode;
}

/** Counts cells by result. */
export function summarize(cells: readonly Cell[]): Summary {
  const count = (result: CellResult): number => cells.filter((cell) => cell.result === result).length;
  const unchecked = count('unchecked');
  return { cells: cells.length, checked: cells.length - unchecked, pass: count('pass'), fail: count('fail'), error: count('error'), unchecked };
}

/**
 * The exit code for a summary: 2 when the run could not decide (an error cell, or nothing checked),
 * 1 when at least one checked cell mismatched, 0 only when every checked cell was observed and matched.
 */
export function exitCodeFor(summary: Summary): ExitCode {
  if (summary.error > 0 || summary.checked === 0) return 2;
  if (summary.fail > 0) return 1;
  return 0;
}

/** Builds a report from a test and its judged cells. */
export function buildReport(input: {
  test: ReachabilityTest;
  cells: readonly Cell[];
  metadata: Omit<ReportMetadata, 'test'>;
  sources?: readonly ReportSource[];
  alive?: ReadonlyMap<string, string>;
}): Report {
  const summary = summarize(input.cells);
  const sources =
    input.sources ??
    input.test.sources.map((s) => ({
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.selector ? { selector: s.selector } : {}),
      ...(s.local ? { local: true } : {}),
    }));
  const targets = input.test.targets.map((t) => {
    const alive = input.alive?.get(t.name);
    return { name: t.name, url: t.address.url, ...(alive ? { alive } : {}) };
  });
  return {
    apiVersion: API_VERSION,
    kind: REPORT_KIND,
    metadata: { test: input.test.name, ...input.metadata },
    sources,
    targets,
    cells: input.cells,
    summary,
    exitCode: exitCodeFor(summary),
  };
}

/**
 * Exit code for ad-hoc probing with no expectation: 0 when every cell was observed (allow or deny),
 * 2 when any check could not decide.
 */
export function adHocExitCode(report: Pick<Report, 'cells'>): ExitCode {
  return report.cells.every((cell) => cell.observed === 'allow' || cell.observed === 'deny') ? 0 : 2;
}
