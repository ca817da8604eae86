// Manifests written as JSON (`kubectl get -o json`) take a JSON.parse path; what they say and every
// file:line must be what the YAML reader gives for the same text, and JSON the YAML reader reads
// otherwise (a duplicate key, a merge key, -0, 1e400) is left to it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseJsonDocument } from '../../src/config/json-file.ts';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { parseYamlDocuments } from '../../src/config/yaml-file.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

/** A dump as kubectl prints it, with strings that look like JSON's own punctuation. */
function dump(indent: number | undefined): string {
  const items = Array.from({ length: 6 }, (_, i) => ({
    apiVersion: 'v1',
    kind: i % 2 ? 'Pod' : 'Service',
    metadata: {
      name: `web-${i}`,
      namespace: 'shop',
      annotations: { note: `a "quoted" \\ back: slash, [not] {a} list, "items": [${i}]`, items: 'items' },
      labels: { app: 'web', tier: i % 3 ? 'api' : 'db' },
    },
    spec: { ports: [{ name: 'http', port: 80 + i, targetPort: 8080 }], weight: 0.5 + i, list: [] },
    status: { podIPs: [{ ip: `10.0.0.${i}` }], ok: true, gone: null },
  }));
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }, null, indent)}\n`;
}

const PATHS = [
  [],
  ['items'],
  ['items', 3],
  ['items', 3, 'metadata', 'annotations', 'note'],
  ['items', 5, 'spec', 'ports', 0, 'port'],
  ['items', 99],
];

t.test('a JSON List reads as the YAML reader reads it: values, item lines, field lines', async (t) => {
  for (const indent of [4, 2, undefined]) {
    const text = `\n\n${dump(indent)}`;
    const json = parseJsonDocument('c.json', text);
    const [yaml] = parseYamlDocuments('c.json', text);
    t.ok(json, `indent ${indent}: the JSON path took it`);
    t.same(json!.value, yaml!.value, `indent ${indent}: the same value`);
    for (const path of PATHS) {
      t.equal(json!.lineOf(path), yaml!.lineOf(path), `indent ${indent}: line of ${path.join('.') || 'the document'}`);
      t.equal(json!.lineOf(path, true), yaml!.lineOf(path, true), `indent ${indent}: key line of ${path.join('.')}`);
    }
  }
});

t.test('every item of a JSON dump gets its own file:line, as from YAML', async (t) => {
  const dir = tempDir(t, 'json-dump');
  writeFileSync(join(dir, 'cluster.json'), dump(4));
  writeFileSync(join(dir, 'cluster.yaml'), dump(4));
  const { objects } = await readManifestObjects(['cluster.json', 'cluster.yaml'], inputIo(dir));
  const lines = dump(4)
    .split('\n')
    .flatMap((line, i) => (line === '        {' ? [i + 1] : []));
  t.same(
    objects.slice(0, 6).map((o) => o.source),
    lines.map((line) => `cluster.json:${line}`),
  );
  t.same(
    objects.slice(6).map((o) => o.source),
    lines.map((line) => `cluster.yaml:${line}`),
    'a .yaml file holding JSON is JSON too',
  );
  const [yaml] = parseYamlDocuments('cluster.json', dump(4));
  t.equal(
    objects[2]!.locate(['spec', 'ports', 0, 'port']),
    `cluster.json:${yaml!.lineOf(['items', 2, 'spec', 'ports', 0, 'port'])}`,
    'a field inside an item: the line the YAML reader finds',
  );
});

t.test('JSON the YAML reader reads otherwise is left to it, errors and all', async (t) => {
  const cases: Record<string, string> = {
    'a duplicate key': '{"kind": "List",\n "items": [],\n "items": [1]}',
    'a merge key': '{"kind": "Service", "<<": {"metadata": {"name": "x"}}, "spec": {}}',
    'minus zero': '{"kind": "Service", "spec": {"port": -0}}',
    'a number past a double': '{"kind": "Service", "spec": {"port": 1e400}}',
    'not JSON': '{"kind": "Service",\n  spec: {port: 80}}',
    'two documents': '{"kind": "Service"}\n---\n{"kind": "Pod"}',
    'old Mac line ends': '{"kind": "Service",\r "spec": {"port": 80}}',
    'nested too deeply': `${'['.repeat(600)}${']'.repeat(600)}`,
  };
  for (const [name, text] of Object.entries(cases)) {
    t.equal(parseJsonDocument('f.json', text), undefined, `${name}: not the JSON path`);
    const dir = tempDir(t, 'json-other');
    writeFileSync(join(dir, 'f.json'), text);
    let fromYaml: unknown;
    try {
      fromYaml = parseYamlDocuments('f.json', text).map((d) => d.value);
    } catch (error) {
      fromYaml = error instanceof ConfigError ? error.message : error;
    }
    let read: unknown;
    try {
      read = (await readManifestObjects(['f.json'], inputIo(dir))).objects.map((o) => o.value);
    } catch (error) {
      read = error instanceof ConfigError ? error.message : error;
    }
    if (Array.isArray(fromYaml) && Array.isArray(read)) t.same(read, fromYaml, `${name}: the YAML reader's value`);
    else t.equal(read, fromYaml, `${name}: the YAML reader's error, with its line`);
  }
});
