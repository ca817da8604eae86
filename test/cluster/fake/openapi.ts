// Validates and prunes a custom resource against its CRD's structural schema, as apiextensions-apiserver
// does on every write: unknown fields are dropped (pkg/apiserver/schema/pruning/algorithm.go) and
// reported as the field-validation mode asks (`fieldValidation=Strict` refuses them, the default Warn
// names them in Warning headers: apiserver pkg/endpoints/handlers/rest.go), then the object is checked
// against the schema (kube-openapi's validator, here Ajv with the x-kubernetes-* keywords given their
// meaning: int-or-string is an integer or a string, list-type map keys are unique).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;
type Json = Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats.default(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addKeyword({
  keyword: 'x-kubernetes-int-or-string',
  validate: (on: boolean, data: unknown) => !on || typeof data === 'string' || Number.isInteger(data),
  errors: false,
});
ajv.addKeyword({
  keyword: 'x-kubernetes-list-map-keys',
  type: 'array',
  validate: (keys: string[], data: Json[]) => {
    const seen = data.map((item) => JSON.stringify(keys.map((k) => item?.[k])));
    return new Set(seen).size === seen.length;
  },
  errors: false,
});
for (const keyword of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-map-type'])
  ajv.addKeyword({ keyword });

/** The field path of an Ajv error, as the API server writes it (`spec.defaults.attempts`). */
function fieldOf(error: ErrorObject): string {
  return error.instancePath.split('/').filter(Boolean).join('.');
}

/** One CRD version's schema, ready to prune and validate objects. */
export class CustomResourceSchema {
  readonly #schema: Schema;
  readonly #validate: ValidateFunction;

  constructor(openAPIV3Schema: Schema) {
    this.#schema = openAPIV3Schema;
    this.#validate = ajv.compile(openAPIV3Schema);
  }

  /** Drops the fields the schema does not know (metadata is the API server's own); returns their paths. */
  prune(object: Json): string[] {
    const dropped: string[] = [];
    const walk = (value: unknown, schema: Schema | undefined, path: string): void => {
      if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
      if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) walk(item, schema.items as Schema | undefined, `${path}[${i}]`);
        return;
      }
      if (!value || typeof value !== 'object') return;
      const record = value as Json;
      const properties = schema.properties as Record<string, Schema> | undefined;
      const extra = schema.additionalProperties as Schema | undefined;
      for (const key of Object.keys(record)) {
        if (path === '' && key === 'metadata') continue;
        const child = properties?.[key] ?? (typeof extra === 'object' ? extra : undefined);
        const at = path ? `${path}.${key}` : key;
        if (child === undefined) {
          dropped.push(at);
          delete record[key];
        } else walk(record[key], child, at);
      }
    };
    walk(object, this.#schema, '');
    return dropped;
  }

  /** The schema's complaints about an object, as the API server's field errors (`spec.x: Invalid value …`). */
  errors(object: Json): string[] {
    if (this.#validate(object)) return [];
    return (this.#validate.errors ?? [])
      .filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword))
      .map((e) => {
        const field = fieldOf(e);
        if (e.keyword === 'required') {
          const missing = String(e.params.missingProperty);
          return `${field ? `${field}.` : ''}${missing}: Required value`;
        }
        if (e.keyword === 'type')
          return `${field}: Invalid value: "${typeof e.data}": ${field} in body must be of type ${String(e.params.type)}`;
        return `${field}: Invalid value: ${JSON.stringify(e.data)}: ${e.message ?? 'is invalid'}`;
      });
  }
}
