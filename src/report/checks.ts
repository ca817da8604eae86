// The checks beyond the matrix as every text format shows them: a verdict line per check, what was
// expected, then the lines of its kind: per phase of a rate limit the offered, achieved and accepted
// rates and the rejections; per source pod of a zone affinity the answers by zone and the verdict.
// Plain text here; each renderer escapes it for its format, as it does a target's URL.

import type { AffinityCheckResult, SourceResult } from '../model/affinity-judgement.ts';
import { type CheckKind, type CheckVerdict, checkSubject } from '../model/checks.ts';
import {
  kindsText,
  type PhaseResult,
  type RateCheckResult,
  rejectionsOf,
  unansweredCount,
} from '../model/rate-judgement.ts';
import { rateText } from '../model/rate-limit.ts';
import type { CheckResult, ReportHead } from '../model/report.ts';
import { counted } from './verdict-line.ts';

/** The mark and word of a check's verdict. */
export const VERDICT_MARK: Readonly<
  Record<CheckVerdict, { char: string; word: string; tone: 'good' | 'bad' | 'warn' }>
> = {
  met: { char: '✓', word: 'met', tone: 'good' },
  'not-met': { char: '✗', word: 'NOT MET', tone: 'bad' },
  undecided: { char: '!', word: 'could not decide', tone: 'warn' },
};

/** `api-limit: rate limit here → app: met`. */
function checkTitle(check: CheckResult): string {
  return `${check.name}: ${checkSubject(check)}: ${VERDICT_MARK[check.verdict].word}`;
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

/** `zone-a 97, zone-b 3 (97 % same zone)`. */
function zonesText(source: SourceResult): string {
  const zones = Object.entries(source.byZone).sort(([a], [b]) => a.localeCompare(b));
  const counts = zones.length === 0 ? 'no answers' : zones.map(([zone, n]) => `${zone} ${n}`).join(', ');
  const share =
    source.sameZoneShare === undefined ? '' : ` (${Math.round(source.sameZoneShare * 1000) / 10} % same zone)`;
  return `${source.answered} of ${source.sent} answered: ${counts}${share}`;
}

/** The lines of each kind after the title and the expectation (the compiler asks for a new kind's). */
const DETAIL_LINES: { readonly [K in CheckKind]: (check: Extract<CheckResult, { kind: K }>) => string[] } = {
  rateLimit: (check: RateCheckResult) =>
    check.phases.map((p) => `${p.label}: ${VERDICT_MARK[p.verdict].word} — ${p.why}; ${phaseFacts(p)}`),
  affinity: (check: AffinityCheckResult) => [
    ...(check.setting ? [`service: ${check.setting}`] : []),
    ...(check.why ? [`not run: ${check.why}`] : []),
    ...check.sources.map(
      (s) => `${s.pod} (${s.zone ?? 'no zone'}): ${VERDICT_MARK[s.verdict].word} — ${s.why}; ${zonesText(s)}`,
    ),
  ],
};

/** The detail lines of a check, by its kind. */
function detailLines<K extends CheckKind>(check: Extract<CheckResult, { kind: K }>): string[] {
  return (DETAIL_LINES[check.kind as K] as (check: Extract<CheckResult, { kind: K }>) => string[])(check);
}

/** A check as plain lines: its title, what was expected, then its kind's lines (phases, source pods). */
export function checkLines(check: CheckResult): string[] {
  return [checkTitle(check), `expected ${check.expected} · ${check.url}`, ...detailLines(check)];
}

/** How long a check sent for, in seconds, as far as its result says (a rate check's phases; 0 otherwise). */
export function checkSeconds(check: CheckResult): number {
  return check.kind === 'rateLimit' ? check.phases.reduce((sum, p) => sum + p.measurement.durationMs, 0) / 1000 : 0;
}

/** `2 checks: 1 met, 1 not met, 0 could not decide`, or undefined when the report has none. */
export function checksSummary(head: Pick<ReportHead, 'checks'>): string | undefined {
  const checks = head.checks;
  if (!checks || checks.length === 0) return undefined;
  const n = (verdict: CheckVerdict): number => checks.filter((c) => c.verdict === verdict).length;
  return `${counted(checks.length, 'check')}: ${n('met')} met, ${n('not-met')} not met, ${n('undecided')} could not decide`;
}
