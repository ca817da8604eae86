// docs/test-file-reference.md is what `npm run docs` makes of the ReachabilityTest schema, every field of
// the schema has the description editors show and the page lists, the defaults the schema states are the
// loader's, and a test file may name the schema for editors in a `# yaml-language-server:` comment.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { parse } from 'yaml';
import { fields, REFERENCE_FILE, readSchema, render, SCHEMA_FILE, type Schema } from '../../docs/reference.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { AJV_OPTIONS } from '../../src/config/validators.ts';
import { DEFAULT_SETTLE_MS, PROBE_TIMEOUT, parseDuration, SETTLE_WINDOW } from '../../src/model/duration.ts';
import { ROOT } from '../helpers/prober.ts';

const schema = readSchema();

t.test(`${REFERENCE_FILE} is generated from ${SCHEMA_FILE}`, async (t) => {
  t.equal(
    readFileSync(join(ROOT, REFERENCE_FILE), 'utf8'),
    render(schema),
    'the page differs from what the schema makes of it: run `npm run docs` (or `npm run schemas`) and commit it',
  );
});

t.test('the walk finds every field (a change of the schema shape must not empty the page)', async (t) => {
  const paths = fields(schema).map((field) => field.path);
  for (const path of [
    'spec.defaults.timeout',
    'spec.sources.NAME.local',
    'spec.targets.NAME.liveness',
    'spec.expect[].verdict',
    'spec.fromPolicies.workloads',
  ])
    t.ok(paths.includes(path), path);
  t.ok(paths.length >= 30, `${paths.length} fields`);
});

t.test('every field and value type says what it is', async (t) => {
  for (const { path, schema: field } of fields(schema)) t.ok(field.description, `${path} has a description`);
  for (const [name, definition] of Object.entries(schema.definitions ?? {}))
    t.ok(definition.description, `definitions.${name} has a description`);
});

t.test("the defaults the schema states are the loader's", async (t) => {
  const loaded = parseReachabilityTest(
    'defaults.yaml',
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: { name: d }\nspec:\n' +
      '  sources: { here: { local: true } }\n  targets: { web: { url: "http://127.0.0.1:1/" } }\n' +
      '  expect: [{ from: here, to: web, verdict: allow }]\n',
  );
  const stated = (path: string): unknown => fields(schema).find((f) => f.path === path)?.schema.default;
  const ms = (text: unknown, range: typeof PROBE_TIMEOUT) => {
    const parsed = parseDuration(String(text), range);
    return parsed.ok ? parsed.ms : Number.NaN;
  };
  t.equal(ms(stated('spec.defaults.timeout'), PROBE_TIMEOUT), loaded.defaults.timeoutMs, 'timeout');
  t.equal(ms(stated('spec.defaults.settle'), SETTLE_WINDOW), DEFAULT_SETTLE_MS, 'settle');
  t.equal(stated('spec.defaults.attempts'), loaded.defaults.attempts, 'attempts');
  t.equal(stated('spec.defaults.concurrency'), loaded.defaults.concurrency, 'concurrency');
});

/** The example test files: the ReachabilityTests under examples/ (CI jobs and other kinds left out). */
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `examples/${name}`);

t.test('a yaml-language-server comment naming the schema is accepted, and each example names it', async (t) => {
  t.ok(examples.length >= 2, `examples found: ${examples.join(', ')}`);
  const validate = new Ajv({ ...AJV_OPTIONS, verbose: false }).compile(schema as Schema & object);
  for (const example of examples) {
    const text = readFileSync(join(ROOT, example), 'utf8');
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    t.ok(modeline, `${example} names its schema for editors`);
    t.equal(
      resolve(dirname(join(ROOT, example)), modeline?.[1] ?? ''),
      join(ROOT, SCHEMA_FILE),
      `${example}: the comment leads to ${SCHEMA_FILE}`,
    );
    t.doesNotThrow(() => parseReachabilityTest(example, text), `${example} loads`);
    t.ok(validate(parse(text)), `${example} passes the published schema, as an editor checks it`);
  }
});

t.test('every whole ReachabilityTest the docs show in a yaml block loads', async (t) => {
  let shown = 0;
  for (const page of [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]) {
    for (const [, body = ''] of readFileSync(join(ROOT, page), 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) {
      if (!/^kind: ReachabilityTest$/m.test(body) || !/^spec:$/m.test(body)) continue;
      shown += 1;
      t.doesNotThrow(
        () => parseReachabilityTest(page, body),
        `${page}: the test named ${/name: (\S+)/.exec(body)?.[1]}`,
      );
    }
  }
  t.ok(shown >= 1, `${shown} shown`);
});
