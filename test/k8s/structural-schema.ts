// The checks kube-apiserver makes of a CustomResourceDefinition's openAPIV3Schema before it accepts it,
// written from upstream (kubernetes staging/src/k8s.io/apiextensions-apiserver/):
// - pkg/apiserver/schema/validation.go (ValidateStructural): a type on every node except under
//   x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields; `items` on every array; no
//   additionalProperties at the root; in a logical junctor (allOf/anyOf/oneOf/not) no type,
//   description, default, nullable, additionalProperties or x-kubernetes-*; metadata at the root
//   restricted to nothing but name and generateName; apiVersion and kind strings; the int-or-string anyOf.
// - pkg/apiserver/schema/structural.go / convert.go: the keywords a JSONSchemaProps has (no `$ref`,
//   `const`, `propertyNames`, `definitions` …).
// - pkg/apis/apiextensions/validation/validation.go: additionalProperties and properties mutually
//   exclusive; x-kubernetes-list-map-keys only with list-type map, on required or defaulted scalar fields.

type Schema = Record<string, unknown>;

/** The JSONSchemaProps fields (apiextensions v1 types.go); anything else makes the CRD invalid. */
const KEYWORDS = new Set([
  'id',
  '$schema',
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'patternProperties',
  'dependencies',
  'additionalItems',
  'definitions',
  'externalDocs',
  'example',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
/** Forbidden in the structural schema (structural.go's Structural has no room for them outside junctors). */
const NOT_STRUCTURAL = ['patternProperties', 'dependencies', 'additionalItems', 'definitions', '$ref', 'id'];
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
const NESTED_FORBIDDEN = [
  'type',
  'description',
  'default',
  'title',
  'nullable',
  'externalDocs',
  'additionalProperties',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

/** The errors of a schema, each as `path: what`; none for a structural schema the API server accepts. */
export function structuralErrors(root: Schema): string[] {
  const errors: string[] = [];
  const node = (s: Schema, path: string, level: 'root' | 'items' | 'field'): void => {
    for (const key of Object.keys(s))
      if (!KEYWORDS.has(key)) errors.push(`${path}.${key}: not a JSONSchemaProps field`);
    for (const key of NOT_STRUCTURAL)
      if (key in s) errors.push(`${path}.${key}: must not be used in a structural schema`);
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    if (intOrString && preserve)
      errors.push(`${path}: x-kubernetes-preserve-unknown-fields must be false if x-kubernetes-int-or-string is true`);
    if (!s.type && !preserve && !intOrString) errors.push(`${path}.type: must not be empty`);
    if (level === 'root' && s.type !== 'object') errors.push(`${path}.type: must be object at the root`);
    if (s.type === 'array' && !s.items) errors.push(`${path}.items: must be specified`);
    if (s.additionalProperties !== undefined && s.properties) {
      const extra = s.additionalProperties;
      if (extra === true || (typeof extra === 'object' && extra !== null))
        errors.push(`${path}.additionalProperties: additionalProperties and properties are mutual exclusive`);
    }
    if (level === 'root' && s.additionalProperties !== undefined)
      errors.push(`${path}.additionalProperties: must not be used at the root`);
    if (s['x-kubernetes-list-map-keys'] !== undefined) {
      if (s['x-kubernetes-list-type'] !== 'map')
        errors.push(`${path}: x-kubernetes-list-map-keys needs x-kubernetes-list-type map`);
      const item = (s.items ?? {}) as Schema;
      for (const key of s['x-kubernetes-list-map-keys'] as string[]) {
        const field = (item.properties as Record<string, Schema> | undefined)?.[key];
        const required = ((item.required ?? []) as string[]).includes(key);
        if (!field || !['string', 'integer', 'boolean', 'number'].includes(String(field.type)))
          errors.push(`${path}.items.properties[${key}]: a map key must be a scalar field`);
        else if (!required && field.default === undefined)
          errors.push(`${path}.items.properties[${key}]: a map key must be required or have a default`);
      }
    }
    for (const junctor of JUNCTORS)
      for (const [i, branch] of ((s[junctor] ?? []) as Schema[]).entries())
        if (!(intOrString && junctor === 'anyOf')) nested(branch, `${path}.${junctor}[${i}]`);
    if (s.not) nested(s.not as Schema, `${path}.not`);
    if (typeof s.pattern === 'string' && /\(\?[=!<]|\\[1-9]/.test(s.pattern))
      errors.push(`${path}.pattern: lookarounds and back references are not RE2`);
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    if (level === 'root') {
      for (const key of ['apiVersion', 'kind'])
        if (properties[key] && properties[key]!.type !== 'string')
          errors.push(`${path}.properties[${key}].type: must be string`);
      const metadata = properties.metadata;
      if (metadata && Object.keys(metadata).some((k) => k !== 'type' && k !== 'description'))
        errors.push(`${path}.properties[metadata]: must not specify anything other than name and generateName`);
    }
    for (const [key, value] of Object.entries(properties)) node(value, `${path}.properties[${key}]`, 'field');
    if (s.items && typeof s.items === 'object') node(s.items as Schema, `${path}.items`, 'items');
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      node(s.additionalProperties as Schema, `${path}.additionalProperties`, 'field');
  };
  const nested = (s: Schema, path: string): void => {
    for (const key of NESTED_FORBIDDEN) if (key in s) errors.push(`${path}.${key}: must be empty to be structural`);
    if (s.properties && 'metadata' in (s.properties as Schema))
      errors.push(`${path}.properties[metadata]: must not be specified in a nested context`);
    for (const value of Object.values((s.properties ?? {}) as Record<string, Schema>)) nested(value, path);
    if (s.items) nested(s.items as Schema, `${path}.items`);
  };
  node(root, 'openAPIV3Schema', 'root');
  return errors;
}
