// `spec.checks` of a ReachabilityTest: each check read by the reader of its kind, in the order written.
// A check names exactly one kind (the schema says so); the table below holds one reader per kind of
// model/checks.ts, and the compiler asks for a reader when a kind is added.

import type { CheckKind } from '../model/checks.ts';
import type { Check, CheckOf, RunDefaults, SourceSpec, TargetSpec } from '../model/test-spec.ts';
import { readAffinity } from './load-affinity-check.ts';
import type { CheckContext } from './load-check-ends.ts';
import { readRateLimit } from './load-rate-check.ts';
import type { TestDocument } from './schemas.ts';
import type { PositionedDocument } from './yaml-file.ts';

type RawChecks = NonNullable<TestDocument['spec']['checks']>;
type RawCheck = RawChecks[string];

/** One reader per kind: the check of that kind from its fields. */
const READERS: {
  readonly [K in CheckKind]: (ctx: CheckContext, name: string, raw: NonNullable<RawCheck[K]>) => CheckOf<K>;
} = {
  rateLimit: readRateLimit,
  affinity: readAffinity,
};

/** Reads the check of kind `kind` (its reader's type ties the raw fields to the kind). */
function readOne<K extends CheckKind>(ctx: CheckContext, name: string, kind: K, raw: NonNullable<RawCheck[K]>): Check {
  return READERS[kind](ctx, name, raw);
}

/** The checks of `spec.checks`, in the order written. */
export function readChecks(
  doc: PositionedDocument,
  raw: RawChecks | undefined,
  sources: readonly SourceSpec[],
  targets: readonly TargetSpec[],
  defaults: RunDefaults,
): Check[] {
  if (!raw) return [];
  const ctx: CheckContext = { doc, sources, targets, defaults };
  return Object.entries(raw).map(([name, check]) => {
    // The schema admits exactly one kind per check.
    const kind = (Object.keys(check) as CheckKind[])[0]!;
    return readOne(ctx, name, kind, check[kind] as NonNullable<RawCheck[typeof kind]>);
  });
}
