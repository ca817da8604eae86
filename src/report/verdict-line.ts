// The summary line every text renderer ends with: counts and what the exit code means.

import type { Counts, ExitCode } from '../model/report.ts';

const MEANING: Readonly<Record<ExitCode, string>> = {
  0: 'every checked cell matched',
  1: 'at least one cell does not match the expectation',
  2: 'the run could not decide',
};

/** `12 cells: 10 pass, 1 fail, 1 error, 0 unchecked — exit 2: the run could not decide`. */
export function summaryLine(counts: Counts, exitCode: ExitCode): string {
  const s = counts;
  const why =
    s.checked > 0
      ? MEANING[exitCode]
      : exitCode === 0
        ? 'every probe was observed'
        : s.error === 0 && s.observedErrors === 0
          ? 'no cell was checked'
          : MEANING[2];
  return `${s.cells} cells: ${s.pass} pass, ${s.fail} fail, ${s.error} error, ${s.unchecked} unchecked — exit ${exitCode}: ${why}`;
}
