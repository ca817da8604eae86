// The ReachabilityTest CustomResourceDefinition is what `npm run crd` makes of the file schema: the
// committed file is regenerated and compared, its schema passes the API server's structural checks
// (test/k8s/structural-schema.ts, after upstream apiextensions-apiserver pkg/apiserver/schema/validation.go),
// and the repository's test files are valid resources of it, while what the file schema refuses the
// CRD's schema refuses too, where a structural schema can say it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { CRD_FILE, crdText, reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { structuralSchema } from '../../k8s/prober/crd-schema.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { testSchema } from '../../src/config/schemas.ts';
import { MAX_FLIPS, type ReachabilityStatus } from '../../src/model/reachability-status.ts';
import { CustomResourceSchema } from '../cluster/fake/openapi.ts';
import { REPO } from './manifests.ts';
import { structuralErrors } from './structural-schema.ts';

type Json = Record<string, any>;
const crd = reachabilityTestCrd() as Json;
const openAPIV3Schema = crd.spec.versions[0].schema.openAPIV3Schema as Json;

t.test(`${CRD_FILE} is what npm run crd makes`, async (t) => {
  const text = readFileSync(join(REPO, CRD_FILE), 'utf8');
  t.equal(text, crdText(), `${CRD_FILE} differs from the code: run \`npm run crd\` and commit it`);
  t.same(parse(text), crd, 'the YAML reads back as the object');
});

t.test('the kustomization applies it', async (t) => {
  const kustomization = parse(readFileSync(join(REPO, 'k8s/prober/watch/kustomization.yaml'), 'utf8'));
  t.ok(kustomization.resources.includes('crd.yaml'));
});

t.test('the CRD is what the API server accepts', async (t) => {
  const { group, names, versions } = crd.spec;
  t.equal(crd.metadata.name, `${names.plural}.${group}`, 'named plural.group');
  t.ok(
    group.includes('.'),
    'its group has a dot (apiextensions validation.go: "should be a domain with at least one dot")',
  );
  t.equal(versions.filter((v: Json) => v.storage).length, 1, 'one storage version');
  t.same(versions[0].subresources, { status: {} }, 'the status subresource');
  for (const column of versions[0].additionalPrinterColumns)
    t.match(column.jsonPath, /^\.[a-zA-Z.]+$/, `${column.name}: a simple JSON path`);
  t.same(
    versions[0].additionalPrinterColumns.map((c: Json) => c.name),
    ['Verdict', 'Cells', 'Off', 'Last Run', 'Age'],
  );
});

t.test('its schema is structural', async (t) => {
  t.same(structuralErrorsOf(openAPIV3Schema), []);
});

t.test('the structural check catches what the API server refuses', async (t) => {
  const cases: [string, Json, RegExp][] = [
    ['a $ref', { type: 'object', properties: { spec: { $ref: '#/definitions/x' } } }, /\$ref/],
    ['no type', { type: 'object', properties: { spec: { description: 'x' } } }, /type: must not be empty/],
    [
      'properties beside additionalProperties',
      {
        type: 'object',
        properties: { spec: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } },
      },
      /mutual exclusive/,
    ],
    [
      'a type in a oneOf',
      { type: 'object', properties: { spec: { type: 'string', oneOf: [{ type: 'string' }] } } },
      /oneOf\[0\]\.type: must be empty/,
    ],
    ['an array without items', { type: 'object', properties: { spec: { type: 'array' } } }, /items: must be specified/],
    [
      'const',
      { type: 'object', properties: { spec: { type: 'string', const: 'x' } } },
      /const: not a JSONSchemaProps field/,
    ],
    [
      'metadata with fields',
      { type: 'object', properties: { metadata: { type: 'object', properties: { labels: {} } } } },
      /metadata/,
    ],
    ['additionalProperties at the root', { type: 'object', additionalProperties: { type: 'string' } }, /at the root/],
    [
      'int-or-string beside preserve',
      {
        type: 'object',
        properties: { spec: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } },
      },
      /must be false/,
    ],
  ];
  for (const [name, schema, error] of cases) t.match(structuralErrorsOf(schema).join('\n'), error, name);
  t.throws(
    () => structuralSchema({ type: 'object', properties: { spec: { type: 'string', not: {} } } }),
    /"not" has no translation/,
  );
});

/** The repository's test files: every one is valid as a resource of the CRD once its apiVersion is the group's. */
const TEST_FILES = [
  'examples/test.yaml',
  'examples/rate-limit.yaml',
  'examples/troubleshoot.yaml',
  'examples/simulate/fqdn/test.yaml',
  'policies/expectations.yaml',
  'policies/istio-rate-limit-expectations.yaml',
  'policies/egress-dns-expectations.yaml',
  'test/fixtures/lab/dualstack-test.yaml',
  'test/fixtures/lab/mesh-l7-test.yaml',
];

t.test('the repository test files are valid resources, nothing pruned', async (t) => {
  const schema = new CustomResourceSchema(openAPIV3Schema);
  for (const file of TEST_FILES) {
    const object = parseAllDocuments(readFileSync(join(REPO, file), 'utf8'))[0]!.toJS() as Json;
    object.apiVersion = 'prober.dev/v1alpha1';
    const before = structuredClone(object);
    t.same(schema.prune(object), [], `${file}: nothing pruned`);
    t.same(object, before);
    t.same(schema.errors(object), [], `${file}: valid`);
  }
});

t.test('prober reads a test file under either apiVersion, and refuses a third', async (t) => {
  for (const file of TEST_FILES) {
    const text = readFileSync(join(REPO, file), 'utf8');
    t.ok(text.includes('apiVersion: prober/v1alpha1'), `${file} has the old apiVersion`);
    const old = parseReachabilityTest(join(REPO, file), text);
    const now = parseReachabilityTest(
      join(REPO, file),
      text.replace('apiVersion: prober/v1alpha1', 'apiVersion: prober.dev/v1alpha1'),
    );
    t.same(now, old, `${file}: the same test`);
  }
  t.throws(
    () =>
      parseReachabilityTest(
        'x.yaml',
        readFileSync(join(REPO, TEST_FILES[0]!), 'utf8').replace(
          'apiVersion: prober/v1alpha1',
          'apiVersion: prober.dev/v1',
        ),
      ),
    /must be one of "prober\.dev\/v1alpha1", "prober\/v1alpha1"/,
  );
});

t.test('what the file schema refuses, the CRD refuses where it can type it', async (t) => {
  const schema = new CustomResourceSchema(openAPIV3Schema);
  const base = (): Json => ({
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name: 'a' },
    spec: { sources: { a: { namespace: 'x' } }, targets: { b: { url: 'tcp://b:1' } }, expect: 'fromPolicies' },
  });
  const bad: [string, (o: Json) => void, RegExp][] = [
    ['attempts over 10', (o) => (o.spec.defaults = { attempts: 11 }), /spec\.defaults\.attempts/],
    ['a bare number as timeout', (o) => (o.spec.defaults = { timeout: 5 }), /timeout.*string/],
    ['settle 5 (only 0 is a number)', (o) => (o.spec.defaults = { settle: 5 }), /settle/],
    ['settle of bad text', (o) => (o.spec.defaults = { settle: 'soon' }), /settle/],
    ['no sources', (o) => (o.spec.sources = {}), /spec\.sources/],
    ['no expect', (o) => delete o.spec.expect, /spec\.expect: Required value/],
    ['a bad liveness', (o) => (o.spec.targets.b.liveness = 'maybe'), /liveness/],
    [
      'rejectedWith 99',
      (o) => (o.spec.checks = { c: { rateLimit: { from: 'a', to: 'b', limit: '1/s', rejectedWith: [99] } } }),
      /rejectedWith/,
    ],
    [
      'rejectedWith a word',
      (o) => (o.spec.checks = { c: { rateLimit: { from: 'a', to: 'b', limit: '1/s', rejectedWith: ['later'] } } }),
      /rejectedWith/,
    ],
  ];
  t.same(schema.errors(base()), [], 'the base is valid');
  for (const [name, change, error] of bad) {
    const object = base();
    change(object);
    t.match(schema.errors(object).join('\n'), error, name);
  }
  const good = base();
  good.spec.defaults = { settle: 0 };
  good.spec.checks = { c: { rateLimit: { from: 'a', to: 'b', limit: '1/s', rejectedWith: [429, 'reset'] } } };
  t.same(schema.errors(good), [], 'settle 0 and rejectedWith [429, reset] are valid');
  const extra = base();
  extra.spec.targets.b.colour = 'red';
  t.same(schema.prune(extra), ['spec.targets.b.colour'], 'an unknown field is pruned');
});

t.test('the translation keeps every field of the file schema', async (t) => {
  const fileSpec = (testSchema as unknown as Json).properties.spec.properties;
  const crdSpec = openAPIV3Schema.properties.spec.properties;
  t.same(Object.keys(crdSpec), Object.keys(fileSpec));
});

t.test('a status of the model type is valid; a flip history past its bound is not', async (t) => {
  const schema = new CustomResourceSchema(openAPIV3Schema);
  const at = '2026-12-07T15:00:00Z';
  const flip = { time: at, source: 'a', target: 'b', family: 'any', from: 'matched', to: 'mismatched' } as const;
  const status: ReachabilityStatus = {
    observedGeneration: 2,
    verdict: 'Drifted',
    conditions: [
      {
        type: 'Drifted',
        status: 'True',
        reason: 'CellsMismatched',
        message: '1 cell',
        lastTransitionTime: at,
        observedGeneration: 2,
      },
      {
        type: 'Matched',
        status: 'False',
        reason: 'NotThisVerdict',
        message: '',
        lastTransitionTime: at,
        observedGeneration: 2,
      },
    ],
    cells: { total: 4, matched: 3, mismatched: 1, undecided: 0, unchecked: 0, off: 1 },
    lastRun: { startTime: at, durationSeconds: 0.3, outcome: 'Completed' },
    offCells: [{ source: 'a', target: 'b', family: 'any', state: 'mismatched', reason: 'connected' }],
    flips: [flip],
  };
  const object = (s: unknown): Json => ({
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name: 'a' },
    spec: { sources: { a: {} }, targets: { b: { url: 'tcp://b:1' } }, expect: 'fromPolicies' },
    status: s,
  });
  t.same(schema.errors(object(status)), []);
  t.match(schema.errors(object({ ...status, flips: Array(MAX_FLIPS + 1).fill(flip) })).join(), /status\.flips/);
  t.match(
    schema.errors(object({ ...status, conditions: [status.conditions[0], status.conditions[0]] })).join(),
    /status\.conditions/,
    'a condition type twice',
  );
  t.match(
    schema.errors(object({ ...status, conditions: [{ ...status.conditions[0], reason: 'Because' }] })).join(),
    /reason/,
  );
});

function structuralErrorsOf(schema: Json): string[] {
  return structuralErrors(schema);
}
