// The pieces every schema of a test file shares: the description helper, names, labels, durations,
// settle windows and statuses.

import { type TSchema, Type } from 'typebox';
import { DURATION_EXAMPLES, DURATION_PATTERN } from '../model/duration.ts';
import { ERROR_MESSAGE, mapOf, oneOf, ref } from '../model/json-schema.ts';
import { StatusClass, StatusCode } from '../model/plan-schema.ts';

/**
 * `schema` with the text editors show on hover and docs/test-file-reference.md lists (`npm run docs`),
 * and its default when the field is left out. Validation ignores both.
 */
export function doc<S extends TSchema>(schema: S, description: string, fallback?: unknown): S {
  return { ...schema, description, ...(fallback === undefined ? {} : { default: fallback }) };
}

export const NAME_WORDING = 'is not a valid name (letters, digits, "-", "_", "."; at most 63)';

/** A source, target or test name. */
export const Name = Type.String({
  pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  [ERROR_MESSAGE]: NAME_WORDING,
});

/** A duration as kubectl writes it (Go syntax); its range is checked when it is parsed (model/duration.ts). */
export const Duration = Type.String({
  pattern: DURATION_PATTERN,
  [ERROR_MESSAGE]: `is not a duration (${DURATION_EXAMPLES})`,
});

/** A name or a wildcard pattern (`*`, `web-?`) in a rule's `from`/`to`. */
export const NamePattern = Type.String({ pattern: '^[-A-Za-z0-9_.*?]{1,63}$', [ERROR_MESSAGE]: NAME_WORDING });

export const Labels = mapOf(Type.String());

/**
 * A settle window: a duration, or 0 to turn it off (YAML reads a bare `0` as a number, `"0"` as text);
 * its range is checked when it is parsed.
 */
export const Settle = oneOf(
  Type.Unsafe<0>({ const: 0 }),
  Type.String({
    pattern: DURATION_PATTERN,
    [ERROR_MESSAGE]: 'is not a settle window (write e.g. 200ms, or 0 to turn it off)',
  }),
);

export const Status = oneOf(StatusCode, StatusClass);

/** One status or a list of them (a test file may write `expectStatus: 200`). */
export const StatusSet = oneOf(ref('status', Status), Type.Array(ref('status', Status), { minItems: 1 }));
