// `prober lint` output for people (a table of findings with their fix) and for programs (JSON), and the shared summary.
import { atLeast, CHECKS, type LintResult, SEVERITIES, type Severity } from '../model/lint.ts';
import { escapeText } from './escape.ts';
import { counted } from './verdict-line.ts';

export const LINT_FORMATS = ['table', 'json', 'sarif'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** `--fail-on`: the least serious severity that fails the run, or `never`. */
export type FailOn = Severity | 'never';

/** Exit code of a lint run: 1 when a finding is at or above the threshold, else 0. */
export function lintExitCode(result: LintResult, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  return result.findings.some((f) => atLeast(f.severity, failOn)) ? 1 : 0;
}

/** Findings per severity. */
function countBySeverity(result: LintResult): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of result.findings) counts[f.severity]++;
  return counts;
}

/** One line: how many findings of each severity, what was read, and the exit code. */
function lintSummary(result: LintResult, failOn: FailOn): string {
  const counts = countBySeverity(result);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => counted(counts[s], s));
  const found =
    result.findings.length === 0 ? 'no findings' : `${counted(result.findings.length, 'finding')}: ${parts.join(', ')}`;
  const read = `${counted(result.policies, 'policy', 'policies')}, ${counted(result.workloads, 'workload')}, ${counted(result.services, 'Service')}`;
  const code = lintExitCode(result, failOn);
  return `${found} (${read}) · fail on ${failOn}: exit ${code}`;
}

/**
 * The findings for a terminal: `file:line  severity  id name`, the message, then `fix:` and the hint,
 * every manifest-derived text escaped.
 */
export function renderLintTable(result: LintResult, failOn: FailOn): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    const where = f.location ? `${f.location.file}:${f.location.line}` : '(no file)';
    lines.push(`${escapeText(where)}  ${f.severity}  ${f.id} ${CHECKS[f.id].name}`);
    lines.push(`  ${escapeText(f.message)}`);
    lines.push(`  fix: ${escapeText(f.hint)}`);
    lines.push('');
  }
  lines.push(lintSummary(result, failOn));
  return `${lines.join('\n')}\n`;
}

/** The findings as one JSON object (`kind: LintReport`), with counts and the exit code. */
export function renderLintJson(result: LintResult, failOn: FailOn): string {
  const report = {
    apiVersion: 'prober/v1alpha1',
    kind: 'LintReport',
    summary: {
      ...countBySeverity(result),
      policies: result.policies,
      workloads: result.workloads,
      services: result.services,
      failOn,
      exitCode: lintExitCode(result, failOn),
    },
    findings: result.findings.map((f) => ({ ...f, name: CHECKS[f.id].name })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
