// Plain scalars read as Kubernetes reads them: YAML 1.1 by go-yaml v2's resolve(), in manifests and test files alike.
//
// Upstream: sigs.k8s.io/yaml yaml.go (YAMLToJSON: go-yaml v2, then map keys as strings in
// convertToJSONableObject) and go-yaml v2 resolve.go (resolveTable, resolveMap, resolve: strconv.ParseInt
// with base 0 after dropping "_", yamlStyleFloat; base 60 "purposefully unsupported"); decode.go keeps a
// timestamp decoded into interface{} as its text. The rows marked kubectl were checked against
// `kubectl label --local -f FILE x=y -o json` (kubectl 1.32, no server) on 2026-12-07.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { parseYamlDocuments } from '../../src/config/yaml-file.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

/** [plain scalar, the JSON value kubectl sends]. */
const VALUES: [string, unknown][] = [
  ['010', 8], // kubectl; YAML 1.2 reads 10
  ['0b1010', 10], // kubectl; YAML 1.2 reads a string
  ['0o17', 15], // kubectl: Go's ParseInt takes 0o too
  ['1_000', 1000], // kubectl
  ['0x1F', 31], // kubectl
  ['0x_1F', 31], // kubectl: every "_" is dropped first
  ['08', 8], // kubectl: not octal, so yamlStyleFloat reads 8
  ['+12', 12], // kubectl
  ['-0b11', -3], // kubectl
  ['00', 0], // kubectl
  ['0', 0], // kubectl
  ['1e3', 1000], // kubectl
  ['.5', 0.5], // kubectl
  ['1.', 1], // kubectl
  ['0b', '0b'], // kubectl
  ['1:20', '1:20'], // kubectl: no sexagesimal (the yaml library's 1.1 schema reads 80)
  ['2001-12-14', '2001-12-14'], // kubectl: a timestamp stays text
  ['2001-12-14 21:59:43.10', '2001-12-14 21:59:43.10'], // kubectl
  ['yes', true], // kubectl
  ['on', true], // kubectl
  ['y', true], // kubectl
  ['Y', true],
  ['True', true],
  ['No', false], // kubectl
  ['Off', false], // kubectl
  ['n', false],
  ['tRUE', 'tRUE'], // kubectl: only the spellings listed in resolveMap
  ['yES', 'yES'],
  ['~', null], // kubectl
  ['Null', null],
  ['0o8', '0o8'],
  ['0x', '0x'],
  ['1e400', '1e400'], // ParseFloat's ErrRange: the text stays
  ['+.5', 0.5],
  ['9223372036854775807', 2 ** 63], // a double, as a JSON reader gets it
  ['18446744073709551615', 2 ** 64], // ParseUint
  ['.', '.'],
  ['.e3', '.e3'],
  ['Infinity', 'Infinity'],
  ['0.5.1', '0.5.1'],
  ['12:30:00', '12:30:00'],
];

/** [plain key, the key kubectl sends]. */
const KEYS: [string, string][] = [
  ['010', '8'], // kubectl
  ['0x10', '16'], // kubectl
  ['yes', 'true'], // kubectl
  ['1.5', '1.5'], // kubectl
  ['1e6', '1e+06'], // kubectl: strconv.FormatFloat(f, 'g', -1, 32)
  ['0.0001', '0.0001'], // kubectl
  ['1e-5', '1e-05'], // kubectl
  ['100000', '100000'], // kubectl
  ['3.14159265358979', '3.1415927'], // kubectl: float32's shortest digits
  ['9223372036854775807', '9223372036854775807'], // kubectl
  ['-0b11', '-3'], // kubectl
  ['"010"', '010'],
];

t.test('plain values, as go-yaml v2 resolves them', async (t) => {
  const text = VALUES.map(([plain], i) => `v${i}: ${plain}`).join('\n');
  const [doc] = parseYamlDocuments('values.yaml', text);
  const value = doc?.value as Record<string, unknown>;
  for (const [i, [plain, expected]] of VALUES.entries()) t.same(value[`v${i}`], expected, plain);
});

t.test('quoted and block scalars stay text', async (t) => {
  const [doc] = parseYamlDocuments('quoted.yaml', 'a: "010"\nb: \'yes\'\nc: |-\n  0b1010\nd: !!str on\n');
  t.same(doc?.value, { a: '010', b: 'yes', c: '0b1010', d: 'on' });
});

t.test('map keys, as sigs.k8s.io/yaml turns them into strings', async (t) => {
  const text = KEYS.map(([key], i) => `${key}: k${i}`).join('\n');
  const [doc] = parseYamlDocuments('keys.yaml', text);
  const value = doc?.value as Record<string, unknown>;
  for (const [i, [key, expected]] of KEYS.entries()) t.equal(value[expected], `k${i}`, key);
});

t.test('what kubectl refuses is refused at its line', async (t) => {
  // kubectl 1.32: "json: unsupported value: +Inf" and "unsupported map key of type: %!s(<nil>)".
  t.throws(() => parseYamlDocuments('inf.yaml', 'a: 1\nb: .inf\n'), {
    message: '.inf is not a number JSON can hold (kubectl refuses it too)',
    line: 2,
  });
  t.throws(() => parseYamlDocuments('null-key.yaml', 'a: 1\n~: x\n'), {
    message: 'a map key cannot be null or empty (kubectl refuses it: "unsupported map key")',
    line: 2,
  });
});

t.test('a manifest: ports in octal and binary, a yes that is true', async (t) => {
  const dir = tempDir(t, 'yaml11');
  const file = join(dir, 'app.yaml');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 010, targetPort: 0b1010}]
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent, namespace: default, labels: {app: agent}}
spec:
  hostNetwork: yes
  containers: [{name: a, image: a}]
`,
  );
  const loaded = await loadManifests([file], inputIo());
  t.same(loaded.cluster.services[0]?.ports, [{ port: 8, protocol: 'TCP', targetPort: 10 }]);
  t.equal(loaded.cluster.workloads.length, 0, 'hostNetwork: yes is true: the pod is left out');
  t.match(loaded.warnings, [/uses hostNetwork/]);
});

t.test('a test file is read by the same rules (README: "YAML 1.1")', async (t) => {
  const test = parseReachabilityTest(
    'test.yaml',
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: yaml11}
spec:
  defaults: {attempts: 0b11}
  sources:
    here: {local: true}
  targets:
    web: {url: "tcp://127.0.0.1:9"}
  expect:
    - {from: here, to: web, verdict: deny}
`,
  );
  t.equal(test.defaults.attempts, 3);
});

t.test('merge keys, as go-yaml v2 merges them (decode.go: mapping, merge, isMerge)', async (t) => {
  // Checked against kubectl label --local -o json (1.32): a merge sets its keys where it stands, so it
  // overrides the keys before it; of a list of maps, the earlier one wins; a quoted "<<" is a key.
  const text = `base: &base {a: 1, b: 1}
other: &other {b: 2, c: 2}
spec:
  before: {a: 0, <<: *base}
  after: {<<: *base, a: 0}
  list: {<<: [*base, *other], z: 0}
  inline: {<<: {q: 1}}
  tagged: {!!merge <<: *base}
  quoted: {"<<": *base}
`;
  const [doc] = parseYamlDocuments('merge.yaml', text);
  t.same((doc?.value as { spec: unknown } | undefined)?.spec, {
    before: { a: 1, b: 1 },
    after: { a: 0, b: 1 },
    list: { a: 1, b: 1, c: 2, z: 0 },
    inline: { q: 1 },
    tagged: { a: 1, b: 1 },
    quoted: { '<<': { a: 1, b: 1 } },
  });
  t.throws(() => parseYamlDocuments('merge.yaml', 'a: &a [1]\nb:\n  <<: *a\n'), {
    message:
      'invalid YAML: a merge (<<) needs a map or a list of maps (go-yaml: "map merge requires map or sequence of maps as the value")',
    line: 3,
  });
});

t.test('a manifest whose labels come from a merge keeps them', async (t) => {
  const dir = tempDir(t, 'yaml11');
  const file = join(dir, 'app.yaml');
  writeFileSync(
    file,
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: &labels {app: web, tier: front}}
  template:
    metadata:
      labels: {<<: *labels, track: stable}
    spec:
      containers: [{name: web, image: web}]
`,
  );
  const loaded = await loadManifests([file], inputIo());
  t.same(loaded.cluster.workloads[0]?.labels, { app: 'web', tier: 'front', track: 'stable' });
});

t.test('a name YAML 1.1 reads as a boolean or a number says to quote it', async (t) => {
  const text = (name: string) =>
    `apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: ${name}}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n    web: {url: "tcp://127.0.0.1:9"}\n  expect:\n    - {from: here, to: web, verdict: deny}\n`;
  for (const [name, read] of [
    ['n', 'boolean false'],
    ['on', 'boolean true'],
    ['010', 'number 8'],
  ]) {
    t.throws(() => parseReachabilityTest('t.yaml', text(name ?? '')), {
      line: 3,
      field: 'metadata.name',
      message: `must be string, not ${read} (YAML 1.1, as kubectl reads it: quote the text)`,
    });
  }
  t.equal(parseReachabilityTest('t.yaml', text('"n"')).name, 'n');
});
