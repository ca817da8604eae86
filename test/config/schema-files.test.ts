// The published .schema.json files are what the TypeBox source produces, and its wording reaches errors.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { checkSchema } from '../../src/config/schema-check.ts';
import { SCHEMA_FILES, schemaFileText, testSchema } from '../../src/config/schemas.ts';
import { AJV_OPTIONS } from '../../src/config/validators.ts';
import { parseSingleYaml } from '../../src/config/yaml-file.ts';
import { ERROR_MESSAGE } from '../../src/model/json-schema.ts';

const REPO = join(import.meta.dirname, '..', '..');

for (const { path, schema } of SCHEMA_FILES) {
  t.test(`${path} is generated from src/config/schemas.ts`, async (t) => {
    t.equal(
      readFileSync(join(REPO, path), 'utf8'),
      schemaFileText(schema),
      'the checked-in file differs from its source: run `npm run schemas` and commit the result',
    );
  });

  t.test(`${path} compiles on its own, as an editor or another tool would read it`, async (t) => {
    const published = JSON.parse(readFileSync(join(REPO, path), 'utf8')) as object;
    const ajv = new Ajv({ ...AJV_OPTIONS, verbose: false });
    t.type(ajv.compile(published), 'function');
  });
}

t.test('a pattern error is worded by the schema, not by its regex', async (t) => {
  const definitions = (testSchema as unknown as { definitions: Record<string, Record<string, unknown>> }).definitions;
  const duration = definitions.duration!;
  const text = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: wording }
spec:
  defaults: { timeout: 2 seconds }
  sources: { here: { local: true } }
  targets: { web: { url: "tcp://127.0.0.1:9" } }
  expect: [{ from: here, to: web, verdict: deny }]
`;
  const wording = duration[ERROR_MESSAGE];
  t.equal(wording, 'is not a duration (write e.g. 500ms, 2s, 1m30s or 2h)');
  t.throws(() => parseReachabilityTest('t.yaml', text), {
    message: `"2 seconds" ${wording}`,
    field: 'spec.defaults.timeout',
    line: 5,
  });
  // Reworded on the schema, the message follows, whatever the pattern says.
  duration[ERROR_MESSAGE] = 'is not a duration, write 2s';
  t.teardown(() => {
    duration[ERROR_MESSAGE] = wording;
  });
  const validate = new Ajv(AJV_OPTIONS).compile(testSchema);
  t.throws(() => checkSchema(parseSingleYaml('t.yaml', text), validate), {
    message: '"2 seconds" is not a duration, write 2s',
  });
});
