// The report every mode produces: a versioned document with metadata, cells, summary and exit code.

import type { AffinityCheckResult } from './affinity-judgement.ts';
import type { IpFamily } from './family.ts';
import type { Cell } from './matrix.ts';
import type { RateCheckResult } from './rate-judgement.ts';
import type { ReachabilityTest } from './test-spec.ts';

const API_VERSION = 'prober/v1alpha1';
const REPORT_KIND = 'ReachabilityReport';

/** Which backend observed the cells. */
export type BackendKind = 'local' | 'lab' | 'cluster' | 'simulated';

/** Run metadata: where and when the matrix was observed. */
interface ReportMetadata {
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
  /** How the agent ran (cluster mode: inside the pod, or in a probe pod beside it) and why. */
  readonly agent?: 'ephemeral' | 'pod';
  readonly agentReason?: string;
  /** What the run left in the cluster for good (cluster mode: an ephemeral agent container). */
  readonly left?: string;
}

/** The whole report, serialised as-is by the JSON renderer. */
export interface Report {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof REPORT_KIND;
  readonly metadata: ReportMetadata;
  readonly sources: readonly ReportSource[];
  readonly targets: readonly {
    readonly name: string;
    readonly url: string;
    readonly family?: IpFamily;
    readonly alive?: string;
  }[];
  /** The checks beyond the matrix (`spec.checks`), judged; absent when the test has none. */
  readonly checks?: readonly CheckResult[];
  readonly cells: readonly Cell[];
  readonly summary: Summary;
  readonly exitCode: ExitCode;
}

/** Counts of a report's cells, gathered in one pass over them. */
export interface Counts extends Summary {
  /** Cells observed as an error, checked or not. */
  readonly observedErrors: number;
  /** Cells not observed as allow or deny: an error, or never observed. */
  readonly undecided: number;
}

/**
 * Running counts of cells. Mutable on purpose: a pass over millions of cells adds to numbers and
 * allocates nothing per cell.
 */
export class Tally {
  private readonly counts = {
    cells: 0,
    checked: 0,
    pass: 0,
    fail: 0,
    error: 0,
    unchecked: 0,
    observedErrors: 0,
    undecided: 0,
  };

  /** Counts one more cell. */
  add(cell: Cell): void {
    const c = this.counts;
    c.cells++;
    c[cell.result]++;
    if (cell.result !== 'unchecked') c.checked++;
    if (cell.observed === 'error') c.observedErrors++;
    if (cell.observed !== 'allow' && cell.observed !== 'deny') c.undecided++;
  }

  /** The counts so far. */
  result(): Counts {
    return { ...this.counts };
  }
}

/** Counts cells by result. */
export function summarize(cells: Iterable<Cell>): Summary {
  const tally = new Tally();
  for (const cell of cells) tally.add(cell);
  return summaryOf(tally.result());
}

/** The summary as the report carries it (the schema allows exactly these fields). */
export function summaryOf(counts: Counts): Summary {
  const { cells, checked, pass, fail, error, unchecked } = counts;
  return { cells, checked, pass, fail, error, unchecked };
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

/** A judged check beyond the matrix, of any kind. */
export type CheckResult = RateCheckResult | AffinityCheckResult;

/** The exit code of checks, combined as cells are: any undecided → 2, else any not met → 1, else 0. */
export function checksExitCode(results: readonly Pick<CheckResult, 'verdict'>[]): ExitCode {
  if (results.some((r) => r.verdict === 'undecided')) return 2;
  if (results.some((r) => r.verdict === 'not-met')) return 1;
  return 0;
}

/** Two exit codes as one: the worse of them (2 beats 1 beats 0). */
export function worseExitCode(a: ExitCode, b: ExitCode): ExitCode {
  return Math.max(a, b) as ExitCode;
}

/** Everything of a report but its cells and what is counted from them: small, however big the matrix. */
export type ReportHead = Omit<Report, 'cells' | 'summary' | 'exitCode'>;

/**
 * A report whose cells are produced on demand, one row (a source's cells, in the test's target
 * order) at a time, so a matrix of millions of cells is rendered in bounded memory. Each call of
 * `rows()` produces the cells afresh; renderers that need counts first go over them twice.
 */
export interface StreamedReport {
  readonly head: ReportHead;
  rows(): Iterable<readonly Cell[]>;
  /** The exit code once every cell is counted. */
  exitCode(counts: Counts): ExitCode;
}

/** What the inputs of a report are, besides its cells. */
export interface ReportInput {
  readonly test: ReachabilityTest;
  readonly metadata: Omit<ReportMetadata, 'test'>;
  readonly sources?: readonly ReportSource[];
  readonly alive?: ReadonlyMap<string, string>;
  readonly checks?: readonly CheckResult[];
}

/** The head of a report: metadata, sources (as the backend saw them) and targets (with liveness proofs). */
function reportHead(input: ReportInput): ReportHead {
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
    return { name: t.name, url: t.address.url, ...(t.family ? { family: t.family } : {}), ...(alive ? { alive } : {}) };
  });
  return {
    apiVersion: API_VERSION,
    kind: REPORT_KIND,
    metadata: { test: input.test.name, ...input.metadata },
    sources,
    targets,
    ...(input.checks ? { checks: input.checks } : {}),
  };
}

/** Builds a report from a test and its judged cells, all in memory (small reports, tests). */
export function buildReport(input: ReportInput & { cells: readonly Cell[] }): Report {
  const summary = summarize(input.cells);
  const cells = exitCodeFor(summary);
  const exitCode = input.checks ? worseExitCode(cells, checksExitCode(input.checks)) : cells;
  return { ...reportHead(input), cells: input.cells, summary, exitCode };
}

/** A report whose cells come row by row from `rows`; the exit code defaults to `exitCodeFor`. */
export function streamReport(
  input: ReportInput & { rows: () => Iterable<readonly Cell[]>; exitCode?: (counts: Counts) => ExitCode },
): StreamedReport {
  return { head: reportHead(input), rows: input.rows, exitCode: input.exitCode ?? exitCodeFor };
}

/** An in-memory report as a stream, for the renderers: rows are its cells grouped by source, in order. */
export function streamOf(report: Report): StreamedReport {
  const { cells, summary: _summary, exitCode, ...head } = report;
  return {
    head,
    *rows() {
      let row: Cell[] = [];
      for (const cell of cells) {
        if (row.length > 0 && row[0]!.from !== cell.from) {
          yield row;
          row = [];
        }
        row.push(cell);
      }
      if (row.length > 0) yield row;
    },
    exitCode: () => exitCode,
  };
}

/**
 * Exit code for ad-hoc probing with no expectation: 0 when every cell was observed (allow or deny),
 * 2 when any check could not decide.
 */
export function adHocExitCode(counts: Pick<Counts, 'undecided'>): ExitCode {
  return counts.undecided === 0 ? 0 : 2;
}

/** What rendering a report ends with: the counts of its cells and the exit code they give. */
export interface ReportOutcome {
  readonly counts: Counts;
  readonly exitCode: ExitCode;
}
