// Building findings for lint checks: the check's severity, the location parsed from a manifest's `file:line`, a stable order.

import { CHECKS, type CheckId, type Finding, type Location, type Severity } from '../../model/lint.ts';
import { compareText } from '../../model/names.ts';

export type { Finding } from '../../model/lint.ts';

/** Reads a `file:line` source as the manifest loader writes it. */
function parseSource(source: string | undefined): Location | undefined {
  if (!source) return undefined;
  const match = /^(.*):(\d+)$/.exec(source);
  if (!match) return { file: source, line: 1 };
  return { file: match[1]!, line: Number(match[2]) };
}

/** Builds a finding of check `id` at `source`, with the check's severity unless a milder case says otherwise. */
export function finding(
  id: CheckId,
  source: string | undefined,
  subject: string,
  message: string,
  hint: string,
  severity: Severity = CHECKS[id].severity,
): Finding {
  const location = parseSource(source);
  return { id, severity, subject, message, hint, ...(location ? { location } : {}) };
}

/** Orders findings by file, line, id and subject, so output is stable between runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding): [string, number, string, string] => [
    f.location?.file ?? '\uffff',
    f.location?.line ?? 0,
    f.id,
    f.subject,
  ];
  return [...findings].sort((a, b) => {
    const [fa, la, ia, sa] = key(a);
    const [fb, lb, ib, sb] = key(b);
    return compareText(fa, fb) || la - lb || compareText(ia, ib) || compareText(sa, sb);
  });
}

/** A short list of names for messages: the first few, then how many more. */
export function nameList(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
