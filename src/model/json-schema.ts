// Helpers for writing prober's input schemas once, in TypeBox, so the TypeScript types follow from them.
//
// TypeBox's own builders cover most of a schema. These few write the JSON Schema the inputs have
// always had where TypeBox would write an equivalent but different one (`const` without `type`,
// `oneOf`, maps with `propertyNames`, `$ref`s into `definitions`): Ajv's errors, and so prober's
// wording of them, depend on that exact shape.

import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';

/**
 * The keyword that holds the human wording of a `pattern` on the schema itself, e.g. "is not a
 * duration (write e.g. 500ms, 2s, 1m30s or 2h)". Error messages read it instead of guessing from the regex.
 */
export const ERROR_MESSAGE = 'errorMessage';

/** Exactly `value` (`{"const": value}`), typed as that literal. */
export function constant<const V extends string>(value: V): TUnsafe<V> {
  return Type.Unsafe<V>({ const: value });
}

/** One of the alternatives (`oneOf`), typed as their union. */
export function oneOf<const S extends readonly TSchema[]>(...alternatives: S): TUnsafe<Static<S[number]>> {
  return Type.Unsafe<Static<S[number]>>({ oneOf: alternatives });
}

/** A map of names to values: `additionalProperties` for the values, `propertyNames` for the keys. */
export function mapOf<V extends TSchema>(
  value: V,
  options: { readonly propertyNames?: TSchema; readonly minProperties?: number } = {},
): TUnsafe<Record<string, Static<V>>> {
  return Type.Unsafe<Record<string, Static<V>>>({ type: 'object', ...options, additionalProperties: value });
}

/**
 * A `$ref` to `#/definitions/<name>`, typed as `schema` (the definition it names). The schema that
 * uses it lists `schema` under that name in its `definitions`; Ajv refuses to compile a dangling one.
 */
export function ref<S extends TSchema>(name: string, _schema: S): TUnsafe<Static<S>> {
  return Type.Unsafe<Static<S>>({ $ref: `#/definitions/${name}` });
}

/** `T` with every property and list read-only, all the way down: how the model hands parsed input on. */
export type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
