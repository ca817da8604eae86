// Validates a positioned YAML document against a JSON Schema and reports the most useful error, with its line.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { ERROR_MESSAGE } from '../model/json-schema.ts';
import { quoteName } from '../model/k8s-names.ts';
import { formatPath } from '../model/names.ts';
import { ConfigError } from './config-error.ts';
import type { PositionedDocument } from './yaml-file.ts';

/** Hints for fields whose schema has alternatives, where Ajv's own wording would confuse. */
export type OneOfHints = Readonly<Record<string, string>>;

/** Throws a ConfigError for the first (deepest) schema violation of `doc`. */
export function checkSchema(doc: PositionedDocument, validate: ValidateFunction, hints: OneOfHints = {}): void {
  if (validate(doc.value)) return;
  const error = pickError(validate.errors ?? []);
  if (!error) throw new ConfigError(doc.file, doc.lineOf([]), undefined, 'does not match the expected format');
  const path = pointerToPath(error.instancePath);
  const badKey = keyNamed(error);
  if (badKey !== undefined) {
    // A bad map key is reported at its own line, under its map's field: the key, which may be
    // a megabyte long, is quoted once in the message, cut short.
    const wording = wordingOf(error) ?? 'is not a valid name';
    throw new ConfigError(
      doc.file,
      doc.lineOf([...path, badKey], true),
      formatPath(path) || undefined,
      `${quoteName(badKey)} ${wording}`,
    );
  }
  const extra = error.keyword === 'additionalProperties' ? String(error.params.additionalProperty) : undefined;
  const fieldPath = extra === undefined ? path : [...path, extra];
  const line = doc.lineOf(fieldPath, extra !== undefined);
  const field = formatPath(extra !== undefined && extra.length > 63 ? path : fieldPath);
  const hint = hints[lastName(path)];
  throw new ConfigError(
    doc.file,
    line,
    field || undefined,
    hint && isAlternativeError(error) ? hint : describe(error, doc.value, path),
  );
}

/** The map key an error is about: Ajv names it on the errors of a `propertyNames` schema. */
function keyNamed(error: ErrorObject): string | undefined {
  if (error.propertyName !== undefined) return error.propertyName;
  return error.keyword === 'propertyNames' ? String(error.params.propertyName) : undefined;
}

/**
 * The deepest error, preferring concrete errors over "matches none of the alternatives". A wrong
 * `apiVersion` or `kind` comes first: a NetworkPolicy passed as a test is the wrong kind of file,
 * and its spec's fields are no news.
 */
function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const identity =
    errors.find((e) => e.instancePath === '/kind') ?? errors.find((e) => e.instancePath === '/apiVersion');
  if (identity) return identity;
  const depth = (e: ErrorObject): number =>
    pointerToPath(e.instancePath).length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  const pool = concrete.length > 0 ? concrete : errors;
  return [...pool].sort((a, b) => depth(b) - depth(a))[0];
}

function isAlternativeError(error: ErrorObject): boolean {
  return ['oneOf', 'anyOf', 'const', 'type', 'minItems'].includes(error.keyword) || error.schemaPath.includes('oneOf');
}

function describe(error: ErrorObject, root: unknown, path: readonly (string | number)[]): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field ${quoteName(String(params.additionalProperty))}`;
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'const': {
      const value = valueAt(root, path);
      const seen = typeof value === 'string' ? `, not ${quoteName(value)}` : '';
      return `must be ${JSON.stringify(params.allowedValue)}${seen}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type': {
      const value = valueAt(root, path);
      // `timeout: 1` is a number that quoting would not save: the schema's own wording shows what was
      // meant (2s). A name such as 010 would pass once quoted, so it gets the YAML 1.1 hint below.
      const wording = wordingOf(error);
      const pattern = (error.parentSchema as Record<string, unknown> | undefined)?.pattern;
      if (
        wording &&
        typeof value === 'number' &&
        typeof pattern === 'string' &&
        !new RegExp(pattern).test(String(value))
      )
        return `${value} ${wording}`;
      // A bare n, on or 010 is a boolean or a number in YAML 1.1: say so where text was meant.
      const quote =
        String(params.type).includes('string') && (typeof value === 'boolean' || typeof value === 'number')
          ? ' (YAML 1.1, as kubectl reads it: quote the text)'
          : '';
      return `must be ${String(params.type)}, not ${kindOf(value)}${quote}`;
    }
    case 'pattern':
      return `${quoteName(valueAt(root, path))} ${wordingOf(error) ?? 'does not match the expected format'}`;
    case 'minProperties':
      return 'must not be empty';
    default:
      return error.message ?? 'is not valid';
  }
}

/** The wording the failing schema carries for people (validators are compiled `verbose`, so it is on the error). */
function wordingOf(error: ErrorObject): string | undefined {
  const wording = (error.parentSchema as Record<string, unknown> | undefined)?.[ERROR_MESSAGE];
  return typeof wording === 'string' ? wording : undefined;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = root;
  for (const step of path)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  return value;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${quoteName(value)}`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function lastName(path: readonly (string | number)[]): string {
  const names = path.filter((p): p is string => typeof p === 'string');
  return names[names.length - 1] ?? '';
}
