// Validates SARIF output against the official SARIF 2.1.0 schema (draft-04), vendored under test/fixtures/sarif.

import ajvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import schema from '../fixtures/sarif/sarif-schema-2.1.0.json' with { type: 'json' };

// A CommonJS module: its class is the module itself and its `default`; TypeScript sees the module object.
const Ajv04 = ajvDraft04.default;
const ajv = new Ajv04({ allErrors: true, strict: false });
(addFormats as unknown as (a: InstanceType<typeof Ajv04>) => void)(ajv);
const validate = ajv.compile(schema);

/** Returns the SARIF 2.1.0 schema violations of a parsed log (empty when valid). */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
