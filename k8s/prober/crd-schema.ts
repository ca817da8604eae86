// Translates the ReachabilityTest file schema (JSON Schema draft-07, src/config/schemas.ts) into the
// structural OpenAPI v3 schema a CustomResourceDefinition needs (apiextensions-apiserver
// pkg/apiserver/schema/structural.go and validation.go; pkg/apis/apiextensions/validation/validation.go):
//
// - `$ref`s are inlined (a CRD schema has none); the referring node's description wins.
// - `const` becomes a one-value `enum` with its `type`; every node gets a `type`.
// - `additionalProperties: false` is dropped: the API server prunes unknown fields of a structural
//   schema (and refuses them with strict field validation), and forbids it beside `properties`.
// - A `oneOf` of an integer and a string becomes `x-kubernetes-int-or-string` with the numeric
//   keywords of the integer branch and the `pattern` of the string branch on the node itself: JSON
//   Schema applies numeric keywords to numbers only and `pattern` to strings only, so it is as strict.
// - Any other `oneOf` (a string or a list) cannot be typed: the node keeps its value unpruned
//   (`x-kubernetes-preserve-unknown-fields`), and prober checks it with the file schema when it reads
//   the resource, as it checks a file.
// - `propertyNames`, `default` and Ajv's `errorMessage` are dropped: map keys are checked by prober as
//   above; defaults are prober's to apply, the stored object stays as written.
// Any other keyword is an error, so a keyword new to the file schema is translated here, not lost.

type Schema = Record<string, unknown>;

/** Keywords copied as they are, when the node's type takes them. */
const KEPT: Readonly<Record<string, readonly string[]>> = {
  string: ['pattern', 'minLength', 'maxLength', 'enum', 'format'],
  integer: ['minimum', 'maximum', 'enum', 'format'],
  number: ['minimum', 'maximum', 'enum'],
  boolean: ['enum'],
  array: ['minItems', 'maxItems'],
  object: ['minProperties', 'maxProperties', 'required'],
};
/** Keywords dropped on purpose (see above). */
const DROPPED = new Set(['$schema', '$id', 'title', 'definitions', 'errorMessage', 'default', 'propertyNames']);
/** Keywords read by the translation itself. */
const READ = new Set(['type', 'description', 'properties', 'additionalProperties', 'items', 'const', 'oneOf', '$ref']);

/** The translator of one file schema: its definitions resolve the `$ref`s. */
export function structuralSchema(fileSchema: Schema): Schema {
  const definitions = (fileSchema.definitions ?? {}) as Record<string, Schema>;
  const resolve = (node: Schema, path: string): Schema => {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    const name = ref.replace('#/definitions/', '');
    const target = definitions[name];
    if (!target) throw new Error(`${path}: $ref ${ref} names no definition`);
    const { $ref: _, ...rest } = node;
    return resolve({ ...target, ...rest }, path);
  };
  const convert = (raw: Schema, path: string): Schema => {
    const node = resolve(raw, path);
    const described = typeof node.description === 'string' ? { description: node.description } : {};
    if (Array.isArray(node.oneOf)) return { ...alternatives(node.oneOf as Schema[], path), ...described };
    for (const key of Object.keys(node))
      if (!READ.has(key) && !DROPPED.has(key) && !Object.values(KEPT).some((k) => k.includes(key)))
        throw new Error(`${path}: the keyword "${key}" has no translation into a CRD schema`);
    const type = typeOf(node, path);
    const out: Schema = { type, ...described };
    if ('const' in node) out.enum = [node.const];
    for (const key of KEPT[type] ?? []) if (key in node) out[key] = node[key];
    if (type === 'array') out.items = convert((node.items ?? {}) as Schema, `${path}.items`);
    if (type === 'object') {
      const properties = node.properties as Record<string, Schema> | undefined;
      const extra = node.additionalProperties;
      if (properties)
        out.properties = Object.fromEntries(
          Object.entries(properties).map(([key, value]) => [key, convert(value, `${path}.${key}`)]),
        );
      else if (extra && typeof extra === 'object') out.additionalProperties = convert(extra as Schema, `${path}.*`);
      else if (extra !== false) out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    return out;
  };
  /** A `oneOf`: an integer or a string, else kept unpruned and checked by prober. */
  const alternatives = (branches: readonly Schema[], path: string): Schema => {
    const resolved = branches.map((b, i) => resolve(b, `${path}.oneOf[${i}]`));
    const types = resolved.map((b) => (Array.isArray(b.oneOf) ? undefined : typeOf(b, path)));
    const integer = resolved.filter((_, i) => types[i] === 'integer');
    const string = resolved.filter((_, i) => types[i] === 'string');
    if (integer.length !== 1 || string.length !== 1 || resolved.length !== 2)
      return { 'x-kubernetes-preserve-unknown-fields': true };
    const [int, str] = [integer[0]!, string[0]!];
    const out: Schema = { 'x-kubernetes-int-or-string': true };
    if ('const' in int) out.minimum = out.maximum = int.const;
    else for (const key of ['minimum', 'maximum']) if (key in int) out[key] = int[key];
    if ('const' in str) out.pattern = `^${String(str.const).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`;
    else if ('pattern' in str) out.pattern = str.pattern;
    return out;
  };
  const spec = convert((fileSchema.properties as Record<string, Schema>).spec as Schema, 'spec');
  const text = (description: string): Schema => ({ type: 'string', description });
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: text('The API group and version of the resource.'),
      kind: text('ReachabilityTest.'),
      metadata: { type: 'object' },
      spec,
    },
  };
}

/** The JSON type of a node: its `type`, or that of its `const` or `enum` values (all of one type). */
function typeOf(node: Schema, path: string): string {
  if (typeof node.type === 'string') return node.type;
  const values = 'const' in node ? [node.const] : Array.isArray(node.enum) ? node.enum : [];
  const types = new Set(values.map((v) => (Number.isInteger(v) ? 'integer' : typeof v)));
  if (types.size !== 1) throw new Error(`${path}: no single type can be given to this node`);
  return [...types][0]!;
}
