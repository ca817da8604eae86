// Names sort by UTF-16 code units everywhere output is ordered (as Go's sort.Strings and kubectl do), never
// by the machine's locale: `B` before `a`, `_` after `Z`, `10` before `9`. Each sort that orders names is
// pinned here on names where a locale-aware comparison (localeCompare, Intl.Collator) would differ: with
// compareText swapped for localeCompare, every test here fails.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { compareText } from '../../src/model/names.ts';
import { buildModel } from '../../src/policy/index.ts';
import { makeSelector } from '../../src/policy/labels.ts';
import { finding, sortFindings } from '../../src/policy/lint/findings.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

/** Names in code-unit order; in ICU's collation (and so localeCompare's) they come in another order. */
const ORDERED = ['-x', '.x', '10', '9', 'B', 'Z', '_x', 'a', 'b', 'ä'];

t.test('compareText orders by code units, equal strings as equal', async (t) => {
  t.same([...ORDERED].reverse().sort(compareText), ORDERED);
  t.equal(compareText('a', 'a'), 0);
  t.equal(compareText('a', 'b'), -1);
  t.equal(compareText('b', 'a'), 1);
});

t.test('a directory of manifests is read in code-unit order of its file names', async (t) => {
  const dir = tempDir(t, 'order');
  const names = ['b', 'a', '_x', 'Z', 'B'];
  for (const name of names) {
    writeFileSync(join(dir, `${name}.yaml`), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${name}\n`);
  }
  const { files } = await readManifestObjects(['.'], inputIo(dir));
  t.same(files, ['B.yaml', 'Z.yaml', '_x.yaml', 'a.yaml', 'b.yaml']);
});

t.test('lint findings sort by file, line, check id, then subject, names by code units', async (t) => {
  const found = [
    finding('PL001', 'b.yaml:1', 'a', '', ''),
    finding('PL001', 'a.yaml:9', 'a', '', ''),
    finding('PL001', 'B.yaml:1', 'a', '', ''),
    finding('PL001', 'a.yaml:1', 'b', '', ''),
    finding('PL001', 'a.yaml:1', 'B', '', ''),
    finding('PL002', 'a.yaml:1', 'A', '', ''),
    finding('PL001', undefined, 'a', '', ''),
  ];
  t.same(
    sortFindings(found).map((f) => `${f.location?.file ?? '-'}:${f.location?.line ?? '-'} ${f.id} ${f.subject}`),
    [
      'B.yaml:1 PL001 a',
      'a.yaml:1 PL001 B',
      'a.yaml:1 PL001 b',
      'a.yaml:1 PL002 A',
      'a.yaml:9 PL001 a',
      'b.yaml:1 PL001 a',
      '-:- PL001 a',
    ],
  );
});

t.test("a selector's requirements, and so its key, are ordered by key in code units, then operator", async (t) => {
  const selector = makeSelector([
    { key: 'app', operator: 'In', values: ['x'] },
    { key: 'Zone', operator: 'Exists', values: [] },
    { key: 'app', operator: 'Exists', values: [] },
    { key: '_team', operator: 'DoesNotExist', values: [] },
  ]);
  t.same(
    selector.requirements.map((r) => `${r.key} ${r.operator}`),
    ['Zone Exists', '_team DoesNotExist', 'app Exists', 'app In'],
  );
});

t.test('workloads are ordered by namespace, then name, in code units', async (t) => {
  const pod = (namespace: string, name: string) => ({ namespace, name, labels: { app: name }, ips: [] });
  const model = buildModel({
    namespaces: [{ name: 'b' }, { name: 'B' }, { name: 'a' }].map((n) => ({ ...n, labels: {} })),
    workloads: [pod('b', 'x'), pod('a', 'y'), pod('B', 'z'), pod('a', 'X'), pod('a', '_w')],
    policies: [],
    services: [],
  });
  t.same(
    model.engine.cluster.workloads.map((w) => w.id),
    ['B/z', 'a/X', 'a/_w', 'a/y', 'b/x'],
  );
});
