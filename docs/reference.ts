// Writes docs/test-file-reference.md from the ReachabilityTest's JSON Schema, so the reference lists every
// field the loader accepts, with its type, default and allowed values: `npm run docs` (and `npm run
// schemas`, which writes the schema first). test/project/test-file-reference.test.ts regenerates and compares.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of JSON Schema (draft-07) the ReachabilityTest schema uses. */
export interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly oneOf?: readonly Schema[];
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | boolean;
  readonly propertyNames?: Schema;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly minProperties?: number;
  readonly definitions?: Readonly<Record<string, Schema>>;
}

/** One row of the reference: a field by its path (`spec.targets.NAME.url`). */
export interface Field {
  readonly path: string;
  readonly schema: Schema;
  readonly required: boolean;
}

const ROOT = join(import.meta.dirname, '..');
/** The schema the reference is made from, and the page it is written to (both relative to the repository). */
export const SCHEMA_FILE = 'src/config/reachability-test.schema.json';
export const REFERENCE_FILE = 'docs/test-file-reference.md';

const code = (value: unknown): string => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
/** A table cell: no line breaks, and `|` escaped so it stays one cell. */
const cell = (text: string): string => text.replace(/\n/g, ' ').replace(/\|/g, '\\|');

/** The definition a `$ref` names (`#/definitions/duration` → its schema), with its name. */
function resolve(root: Schema, schema: Schema): { name?: string; schema: Schema } {
  const name = /^#\/definitions\/(.+)$/.exec(schema.$ref ?? '')?.[1];
  if (name === undefined) return { schema };
  const target = root.definitions?.[name];
  if (!target) throw new Error(`${SCHEMA_FILE}: ${schema.$ref} names no definition`);
  return { name, schema: target };
}

/** A field's type in words: `integer`, `list of rule`, `map of name → source`, a link to a value type. */
export function typeOf(root: Schema, schema: Schema): string {
  const { name, schema: resolved } = resolve(root, schema);
  // A definition with fields is listed field by field below its own row; a value type has a row of its own.
  if (name !== undefined) return resolved.properties ? `object (${name})` : `[${name}](#${name})`;
  if (resolved.const !== undefined) return `${code(resolved.const)} (exactly)`;
  if (resolved.oneOf) return resolved.oneOf.map((alternative) => typeOf(root, alternative)).join(' or ');
  if (resolved.enum) return [...new Set(resolved.enum.map((value) => typeof value))].join(' or ');
  if (resolved.type === 'array') return `list of ${resolved.items ? typeOf(root, resolved.items) : 'anything'}`;
  if (resolved.type === 'object' && typeof resolved.additionalProperties === 'object') {
    const key = resolved.propertyNames ? typeOf(root, resolved.propertyNames) : 'string';
    return `map of ${key} → ${typeOf(root, resolved.additionalProperties)}`;
  }
  return resolved.type ?? 'any';
}

/** What values a field admits beyond its type: its enum, range, pattern, minimum sizes. */
export function allowed(schema: Schema): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(schema.enum.map(code).join(', '));
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '…'}–${schema.maximum ?? '…'}`);
  if (schema.pattern !== undefined) parts.push(`matches ${code(schema.pattern)}`);
  if (schema.minLength !== undefined) parts.push(`at least ${schema.minLength} character`);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems} item`);
  if (schema.minProperties !== undefined) parts.push(`at least ${schema.minProperties} entry`);
  const alternatives = (schema.oneOf ?? []).filter((alternative) => !alternative.$ref);
  if (alternatives.length > 0)
    parts.push(
      alternatives
        .map((alternative) => (alternative.const !== undefined ? code(alternative.const) : allowed(alternative)))
        .filter((text) => text !== '')
        .join(' or '),
    );
  return parts.filter((text) => text !== '').join('; ');
}

/**
 * Every field of the schema, depth first, in the schema's order: an object's properties, a map's values
 * (`NAME`), a list's items (`[]`), following `$ref`s into the definitions that have properties.
 */
export function fields(root: Schema): Field[] {
  const found: Field[] = [];
  const walk = (schema: Schema, path: string): void => {
    const { schema: resolved } = resolve(root, schema);
    for (const [key, property] of Object.entries(resolved.properties ?? {})) {
      const at = path === '' ? key : `${path}.${key}`;
      found.push({ path: at, schema: property, required: resolved.required?.includes(key) ?? false });
      walk(property, at);
    }
    if (typeof resolved.additionalProperties === 'object') walk(resolved.additionalProperties, `${path}.NAME`);
    if (resolved.items) walk(resolved.items, `${path}[]`);
    for (const alternative of resolved.oneOf ?? []) walk(alternative, path);
  };
  walk(root, '');
  return found;
}

/** The constraints of a field: its own, or those of the value type it refers to (shown there). */
const constraintsOf = (root: Schema, schema: Schema): string =>
  schema.$ref ? '' : allowed(resolve(root, schema).schema);

/** The reference page for `root`, the ReachabilityTest schema. */
export function render(root: Schema): string {
  const rows = fields(root).map(({ path, schema, required }) =>
    [
      `\`${path}\``,
      cell(typeOf(root, schema)),
      required ? 'yes' : '',
      schema.default === undefined ? '' : code(schema.default),
      cell(constraintsOf(root, schema)),
      cell(schema.description ?? ''),
    ].join(' | '),
  );
  const types = Object.entries(root.definitions ?? {})
    .filter(([, schema]) => !schema.properties)
    .map(([name, schema]) =>
      [
        `<a id="${name}"></a>\`${name}\``,
        cell(typeOf(root, schema)),
        cell(allowed(schema)),
        cell(schema.description ?? ''),
      ].join(' | '),
    );
  return `# Test file reference (ReachabilityTest)

<!-- Generated by \`npm run docs\` from ${SCHEMA_FILE}: edit the schema (src/config/schemas.ts), not this page. -->

Every field a ReachabilityTest file may hold, generated from its JSON Schema,
[${SCHEMA_FILE}](../${SCHEMA_FILE}). A field not listed here is an error naming the file, line and
field. What the fields do together, with an example: [test-file.md](test-file.md). \`NAME\` is a name you
choose (a source's or a target's); \`[]\` is each item of a list.

| field | type | required | default | allowed values | what it is |
|---|---|---|---|---|---|
${rows.map((row) => `| ${row} |`).join('\n')}

## Value types

| type | is | allowed values | what it is |
|---|---|---|---|
${types.map((row) => `| ${row} |`).join('\n')}
`;
}

/** The schema as the repository holds it. */
export function readSchema(): Schema {
  return JSON.parse(readFileSync(join(ROOT, SCHEMA_FILE), 'utf8')) as Schema;
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(join(ROOT, REFERENCE_FILE), render(readSchema()));
  process.stdout.write(`wrote ${REFERENCE_FILE}\n`);
}
