// What every kind of check in `spec.checks` shares at load: where a field is in the file (for a
// one-line error naming file, line and field), and its `from` and `to` resolved to a source and an
// HTTP target probed over one family.

import { someNames } from '../model/names.ts';
import { type RunDefaults, ruleTargetName, type SourceSpec, type TargetSpec } from '../model/test-spec.ts';
import { ConfigError } from './config-error.ts';
import type { PositionedDocument } from './yaml-file.ts';

/** What a check's reader needs besides its own fields. */
export interface CheckContext {
  readonly doc: PositionedDocument;
  readonly sources: readonly SourceSpec[];
  readonly targets: readonly TargetSpec[];
  readonly defaults: RunDefaults;
}

/** Throws the one-line error for `field` of the check at `path`, at the field's line (or the check's). */
export type FieldFailure = (field: string, message: string) => never;

/** The failure of the check of kind `kind` named `name`. */
export function failureAt(doc: PositionedDocument, name: string, kind: string): FieldFailure {
  const path = ['spec', 'checks', name, kind];
  return (field, message) => {
    throw new ConfigError(
      doc.file,
      doc.lineOf([...path, field]) ?? doc.lineOf(path),
      `${path.join('.')}.${field}`,
      message,
    );
  };
}

/**
 * The check's target, once its `from` names a source and its `to` an http:// or https:// target
 * probed over one family; `what` names the kind in the messages (`a rate-limit check`).
 */
function checkEnds(
  ctx: CheckContext,
  raw: { readonly from: string; readonly to: string },
  fail: FieldFailure,
  what: string,
): TargetSpec {
  const { sources, targets } = ctx;
  if (!sources.some((s) => s.name === raw.from))
    fail('from', `"${raw.from}" names no source (known: ${someNames(sources.map((s) => s.name))})`);
  const named = targets.filter((t) => ruleTargetName(t) === raw.to);
  const target = named[0];
  if (!target)
    return fail('to', `"${raw.to}" names no target (known: ${someNames([...new Set(targets.map(ruleTargetName))])})`);
  if (named.length > 1) fail('to', `"${raw.to}" is probed over both families; ${what} needs one`);
  if (target.address.scheme !== 'http' && target.address.scheme !== 'https')
    fail(
      'to',
      `"${raw.to}" is a ${target.address.scheme}:// target; ${what} sends HTTP requests (http:// or https://)`,
    );
  return target;
}

/** The fields every kind of check has once loaded: its ends, its target's address and deadline, where it is written. */
export interface CheckBase {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly address: TargetSpec['address'];
  readonly timeoutMs: number;
  readonly origin: { readonly file: string; readonly line: number };
}

/** checkEnds, then the fields every kind of check shares (the target's timeout, else the test's default). */
export function checkBase(
  ctx: CheckContext,
  name: string,
  raw: { readonly from: string; readonly to: string },
  fail: FieldFailure,
  what: string,
): CheckBase {
  const target = checkEnds(ctx, raw, fail, what);
  return {
    name,
    from: raw.from,
    to: raw.to,
    address: target.address,
    timeoutMs: target.timeoutMs ?? ctx.defaults.timeoutMs,
    origin: checkOrigin(ctx, name),
  };
}

/** Where a check is written, for a later refusal that names it. */
function checkOrigin(ctx: CheckContext, name: string): { file: string; line: number } {
  return { file: ctx.doc.file, line: ctx.doc.lineOf(['spec', 'checks', name]) ?? 1 };
}
