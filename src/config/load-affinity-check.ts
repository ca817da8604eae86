// A zone-affinity check of `spec.checks`: its source, its Service target, the requests each source
// pod sends, how an answer names its pod, and what is expected, checked at load with file, line and field.

import {
  type AffinityCheck,
  type AffinityExpectation,
  DEFAULT_AFFINITY_REQUESTS,
  DEFAULT_IDENTITY_HEADER,
  type IdentitySource,
} from '../model/affinity.ts';
import { parseTolerance } from '../model/rate-limit.ts';
import { type CheckContext, checkBase, failureAt } from './load-check-ends.ts';
import type { TestDocument } from './schemas.ts';

type RawAffinity = NonNullable<NonNullable<TestDocument['spec']['checks']>[string]['affinity']>;

/** The expectation as written, or the default rule. */
function readExpectation(
  raw: RawAffinity['expect'],
  fail: (field: string, message: string) => never,
): AffinityExpectation {
  if (raw === undefined) return { kind: 'default' };
  if ('spread' in raw) return { kind: 'spread' };
  const share = parseTolerance(raw.sameZone);
  if (share === undefined || share <= 0) return fail('expect', 'sameZone must be more than 0% and at most 100%');
  return { kind: 'sameZone', share, written: raw.sameZone };
}

/** The zone-affinity check named `name`; a wrong field throws a ConfigError naming it. */
export function readAffinity(ctx: CheckContext, name: string, raw: RawAffinity): AffinityCheck {
  const fail = failureAt(ctx.doc, name, 'affinity');
  const base = checkBase(ctx, name, raw, fail, 'a zone-affinity check');
  const source = ctx.sources.find((s) => s.name === raw.from);
  if (source?.local)
    fail(
      'from',
      `"${raw.from}" is a local source; a zone-affinity check sends from the pods of a workload, each in its zone`,
    );
  const identity: IdentitySource =
    raw.identity === undefined
      ? { header: DEFAULT_IDENTITY_HEADER }
      : 'header' in raw.identity
        ? { header: raw.identity.header.toLowerCase() }
        : { jsonField: raw.identity.jsonField };
  return {
    kind: 'affinity',
    ...base,
    requests: raw.requests ?? DEFAULT_AFFINITY_REQUESTS,
    ...(raw.sample !== undefined ? { sample: raw.sample } : {}),
    identity,
    expect: readExpectation(raw.expect, fail),
  };
}
