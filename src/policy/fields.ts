// Strict reading of parsed policy YAML: every field is either understood or rejected by path.

import { type FieldPath, formatPath } from '../model/names.ts';

export type { FieldPath };

/**
 * A policy the engine cannot evaluate faithfully: it names the policy, the field and why.
 * `source` (file:line of the document) is filled in by whoever read the file.
 */
export class PolicyError extends Error {
  readonly policy: string;
  readonly path: FieldPath;
  readonly detail: string;
  readonly source: string | undefined;

  constructor(policy: string, path: FieldPath, detail: string, source?: string) {
    const field = formatPath(path);
    super(`${source ? `${source}: ` : ''}${policy}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'PolicyError';
    this.policy = policy;
    this.path = path;
    this.detail = detail;
    this.source = source;
  }
}

/** Who is being read, for error messages. */
export interface ReadContext {
  readonly policy: string;
  readonly source?: string | undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * A cursor over one mapping of a manifest. Each accessor marks its key as understood;
 * `done()` then rejects whatever is left, so no field is ever silently ignored.
 */
export class Fields {
  readonly path: FieldPath;
  readonly ctx: ReadContext;
  private readonly value: Record<string, unknown>;
  private readonly seen = new Set<string>();

  constructor(value: unknown, path: FieldPath, ctx: ReadContext) {
    this.path = path;
    this.ctx = ctx;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new PolicyError(ctx.policy, path, `expected a mapping, found ${describe(value)}`, ctx.source);
    }
    this.value = value as Record<string, unknown>;
  }

  /** Throws a PolicyError about this mapping or one of its keys. */
  fail(detail: string, key?: string | number): never {
    const path = key === undefined ? this.path : [...this.path, key];
    throw new PolicyError(this.ctx.policy, path, detail, this.ctx.source);
  }

  /** True when the key is present and not null (YAML `key:` with no value counts as absent). */
  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  /** The raw value, marked as understood. */
  raw(key: string): unknown {
    this.seen.add(key);
    const value = this.value[key];
    return value === null ? undefined : value;
  }

  /** Marks keys as understood without reading them (metadata such as `description`). */
  ignore(...keys: string[]): void {
    for (const key of keys) this.seen.add(key);
  }

  /** Rejects a key that the engine knows but does not evaluate. */
  reject(key: string, why: string): void {
    this.seen.add(key);
    if (this.has(key)) this.fail(`not supported: ${why}`, key);
  }

  obj(key: string): Fields | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : new Fields(value, [...this.path, key], this.ctx);
  }

  reqObj(key: string): Fields {
    return this.obj(key) ?? this.fail('is required', key);
  }

  str(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') this.fail(`expected a string, found ${describe(value)}`, key);
    return value;
  }

  reqStr(key: string): string {
    return this.str(key) ?? this.fail('is required', key);
  }

  int(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(`expected an integer, found ${describe(value)}`, key);
    }
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(`expected true or false, found ${describe(value)}`, key);
    return value;
  }

  /** A list; `undefined` when absent, so callers can tell "absent" from "empty". */
  list<T>(key: string, each: (item: unknown, path: FieldPath, index: number) => T): T[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(`expected a list, found ${describe(value)}`, key);
    return value.map((item, index) => each(item, [...this.path, key, index], index));
  }

  /** A list of mappings, each read with its own cursor (checked with `done()` after `each`). */
  objList<T>(key: string, each: (item: Fields, index: number) => T): T[] | undefined {
    return this.list(key, (item, path, index) => {
      const fields = new Fields(item, path, this.ctx);
      const result = each(fields, index);
      fields.done();
      return result;
    });
  }

  /** A list of strings. */
  strList(key: string): string[] | undefined {
    return this.list(key, (item, path) => {
      if (typeof item !== 'string') {
        throw new PolicyError(this.ctx.policy, path, `expected a string, found ${describe(item)}`, this.ctx.source);
      }
      return item;
    });
  }

  /** A map of string to string (e.g. matchLabels). Numbers and booleans are refused like the API does. */
  strMap(key: string): Record<string, string> | undefined {
    const fields: Fields | undefined = this.obj(key);
    if (!fields) return undefined;
    const out: Record<string, string> = {};
    for (const k of fields.keys()) {
      const v = fields.raw(k);
      if (typeof v !== 'string') return fields.fail(`expected a string value, found ${describe(v)}`, k);
      out[k] = v;
    }
    return out;
  }

  keys(): string[] {
    return Object.keys(this.value);
  }

  /** Rejects every key no accessor asked for. */
  done(): void {
    for (const key of Object.keys(this.value)) {
      if (!this.seen.has(key)) {
        this.fail('unsupported field: the engine does not evaluate it and it could change the verdict', key);
      }
    }
  }
}
