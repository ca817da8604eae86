// The checks beyond the matrix (a rate limit) as every text format shows them: a verdict line per
// check, then one line per phase with the offered, achieved and accepted rates and the rejections.
// Plain text here; each renderer escapes it for its format, as it does a target's URL.

import {
  type CheckResult,
  type CheckVerdict,
  kindsText,
  type PhaseResult,
  rejectionsOf,
  unansweredCount,
} from '../model/rate-judgement.ts';
import { rateText } from '../model/rate-limit.ts';
import type { ReportHead } from '../model/report.ts';
import { counted } from './verdict-line.ts';

/** The mark and word of a check's verdict. */
export const VERDICT_MARK: Readonly<
  Record<CheckVerdict, { char: string; word: string; tone: 'good' | 'bad' | 'warn' }>
> = {
  met: { char: '✓', word: 'met', tone: 'good' },
  'not-met': { char: '✗', word: 'NOT MET', tone: 'bad' },
  undecided: { char: '!', word: 'could not decide', tone: 'warn' },
};

/** `rate limit here → app: met`. */
function checkTitle(check: CheckResult): string {
  return `${check.name}: rate limit ${check.from} → ${check.to}: ${VERDICT_MARK[check.verdict].word}`;
}

/** `offered 20/s, achieved 19.9/s; 52 accepted (10.4/s); rejected 429 ×48 (retry-after: 1)`. */
function phaseFacts(phase: PhaseResult): string {
  const m = phase.measurement;
  const seconds = m.durationMs / 1000;
  const rejected = kindsText(rejectionsOf(m));
  const noAnswer = unansweredCount(m);
  const unanswered =
    noAnswer > 0
      ? `; no answer: ${[
          ['timeout', m.unanswered.timeout],
          ['refused', m.unanswered.refused],
          ['error', m.unanswered.error],
        ]
          .filter(([, n]) => Number(n) > 0)
          .map(([kind, n]) => `${kind} ×${n}`)
          .join(', ')}`
      : '';
  const headers = m.rejectionHeaders.length > 0 ? ` (${m.rejectionHeaders.join('; ')})` : '';
  return (
    `offered ${rateText(m.offeredPerSecond)}, achieved ${rateText(m.achievedPerSecond)} (${m.sent} of ${m.scheduled} sent); ` +
    `${m.accepted} accepted (${rateText(m.accepted / seconds)}); rejected ${rejected}${headers}${unanswered}`
  );
}

/** A check as plain lines: its title, what was expected, then each phase's facts and verdict. */
export function checkLines(check: CheckResult): string[] {
  return [
    checkTitle(check),
    `expected ${check.expected} · ${check.url}`,
    ...check.phases.map((p) => `${p.label}: ${VERDICT_MARK[p.verdict].word} — ${p.why}; ${phaseFacts(p)}`),
  ];
}

/** `2 checks: 1 met, 1 not met, 0 could not decide`, or undefined when the report has none. */
export function checksSummary(head: Pick<ReportHead, 'checks'>): string | undefined {
  const checks = head.checks;
  if (!checks || checks.length === 0) return undefined;
  const n = (verdict: CheckVerdict): number => checks.filter((c) => c.verdict === verdict).length;
  return `${counted(checks.length, 'check')}: ${n('met')} met, ${n('not-met')} not met, ${n('undecided')} could not decide`;
}
