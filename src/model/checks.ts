// The kinds of check beyond the matrix (`spec.checks.NAME.<kind>`): what each is called, and the
// verdict every kind gives. A new kind is a row of CHECK_KINDS, its check type in the `Check` union
// (test-spec.ts) and its result in `CheckResult` (report.ts); then one entry in each per-kind table the
// compiler asks for: the loader (config/load-checks.ts), the runner (orchestration/checks.ts) and the
// report lines (report/checks.ts).

/** A check's verdict: the exit code follows it as a cell's does (0, 1, 2). */
export type CheckVerdict = 'met' | 'not-met' | 'undecided';

/** What a kind is, for people: its name in titles and JUnit test cases. */
interface CheckKindDescriptor {
  /** `rate limit`, `zone affinity`. */
  readonly title: string;
}

/** Every kind of check, by the key a test file writes under `spec.checks.NAME`. */
const CHECK_KINDS = {
  rateLimit: { title: 'rate limit' },
  affinity: { title: 'zone affinity' },
} as const satisfies Record<string, CheckKindDescriptor>;

/** The key of a kind of check. */
export type CheckKind = keyof typeof CHECK_KINDS;

/** The worst of some verdicts: undecided over not met over met (met when there are none). */
export function worstVerdict(verdicts: readonly CheckVerdict[]): CheckVerdict {
  if (verdicts.includes('undecided')) return 'undecided';
  if (verdicts.includes('not-met')) return 'not-met';
  return 'met';
}

/** `rate limit here → api`: how a check is named beside its own name. */
export function checkSubject(check: { readonly kind: CheckKind; readonly from: string; readonly to: string }): string {
  return `${CHECK_KINDS[check.kind].title} ${check.from} → ${check.to}`;
}
