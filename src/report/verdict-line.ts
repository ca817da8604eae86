// The summary line every text renderer ends with: counts and what the exit code means.

import type { Counts, ExitCode } from '../model/report.ts';

const MEANING: Readonly<Record<ExitCode, string>> = {
  0: 'every checked cell matched',
  1: 'at least one cell does not match the expectation',
  2: 'the run could not decide',
};

/** What the exit code means when checks beyond the matrix were judged too (the worse of both decides). */
const WITH_CHECKS: Readonly<Record<ExitCode, string>> = {
  0: 'every checked cell matched and every check was met',
  1: 'a cell or a check does not match the expectation',
  2: 'the run could not decide',
};

/** `1 cell`, `3 cells`: a count with its noun, singular for one. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * `12 cells: 10 pass, 1 fail, 1 error, 0 unchecked — exit 2: the run could not decide`. An error
 * cell no rule names is unchecked: it leaves a judged run's exit code alone, but the line says how
 * many there are (`3 unchecked (1 of them an error)`), so a failed probe is never silent.
 */
export function summaryLine(counts: Counts, exitCode: ExitCode, checks?: string): string {
  const s = counts;
  const why = checks
    ? WITH_CHECKS[exitCode]
    : s.checked > 0
      ? MEANING[exitCode]
      : exitCode === 0
        ? 'every probe was observed'
        : s.error === 0 && s.observedErrors === 0
          ? 'no cell was checked'
          : MEANING[2];
  // Checked cells that errored are `error`; the rest of the observed errors are unchecked cells.
  const uncheckedErrors = s.observedErrors - s.error;
  const unchecked = uncheckedErrors > 0 ? ` (${uncheckedErrors} of them an error)` : '';
  const also = checks ? `; ${checks}` : '';
  return `${counted(s.cells, 'cell')}: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.unchecked} unchecked${unchecked}${also} — exit ${exitCode}: ${why}`;
}
