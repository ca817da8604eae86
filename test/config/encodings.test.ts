// Inputs in UTF-16 and with byte-order marks are read as kubectl reads them, or refused: never skipped.
//
// kubectl reads every -f file through unicode.BOMOverride(unicode.UTF8.NewDecoder())
// (k8s.io/cli-runtime/pkg/resource/visitor.go, FileVisitor.Visit): a UTF-8 BOM is dropped and a
// UTF-16 LE/BE BOM (what Windows PowerShell's `>` writes) decodes the file. A UTF-32 BOM is read there as
// UTF-16 and fails to parse, and UTF-16 without a BOM leaves NUL bytes go-yaml refuses ("control
// characters are not allowed"): prober refuses both with a line that says why. Before, a UTF-16 manifest
// was "skipped: not a Kubernetes object", so its deny policy vanished and every cell was allowed.
// Each case was checked with `kubectl label --local -f FILE x=y -o json` (kubectl 1.32, no server):
// UTF-16 LE/BE with a BOM and concatenated BOM-led documents apply; UTF-32 and BOM-less UTF-16 fail
// with "yaml: control characters are not allowed".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: d-redis}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: utf16}
spec:
  sources:
    here: {local: true}
  targets:
    web: {url: "tcp://127.0.0.1:9"}
  expect:
    - {from: here, to: web, verdict: deny}
`;

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
const utf32le = (text: string): Buffer => {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out.writeUInt32LE(text.charCodeAt(i), i * 4);
  return out;
};
const utf32be = (text: string): Buffer => {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out.writeUInt32BE(text.charCodeAt(i), i * 4);
  return out;
};

/** [name, the bytes of a text, what reading it gives: the text, or an error matching this]. */
const rows: [string, (text: string) => Buffer, RegExp | 'read'][] = [
  ['UTF-8 with a BOM', (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]), 'read'],
  ['UTF-16 LE with a BOM', (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]), 'read'],
  ['UTF-16 BE with a BOM', (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(s)]), 'read'],
  [
    'UTF-32 LE with a BOM',
    (s) => Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le(s)]),
    /^FILE: the file is UTF-32 \(LE\), which kubectl does not read: save it as UTF-8$/,
  ],
  [
    'UTF-32 BE with a BOM',
    (s) => Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32be(s)]),
    /^FILE: the file is UTF-32 \(BE\), which kubectl does not read: save it as UTF-8$/,
  ],
  [
    'UTF-16 LE without a BOM',
    (s) => Buffer.from(s, 'utf16le'),
    /^FILE:1: the file holds NUL bytes: UTF-16 without a byte-order mark\? Save it as UTF-8$/,
  ],
];

t.test('a manifest: its policy is read, or the file is refused', async (t) => {
  const dir = tempDir(t, 'encodings');
  for (const [index, [name, encode, expected]] of rows.entries()) {
    const file = join(dir, `${index}.yaml`);
    writeFileSync(file, encode(POLICY));
    if (expected === 'read') {
      const loaded = await loadManifests([file], inputIo());
      t.equal(loaded.cluster.policies.length, 1, `${name}: the policy is read`);
      t.same(loaded.warnings, [], `${name}: nothing skipped`);
    } else {
      const error = await loadManifests([file], inputIo()).then(
        () => undefined,
        (e: unknown) => e,
      );
      t.match(String(error), new RegExp(expected.source.replace('FILE', file)), name);
    }
  }
});

t.test('a test file: read the same way', async (t) => {
  const dir = tempDir(t, 'encodings');
  for (const [index, [name, encode, expected]] of rows.entries()) {
    const file = join(dir, `${index}.yaml`);
    writeFileSync(file, encode(TEST));
    if (expected === 'read') {
      const test = await loadReachabilityTest(file, inputIo());
      t.equal(test.name, 'utf16', `${name}: read`);
    } else {
      const error = await loadReachabilityTest(file, inputIo()).then(
        () => undefined,
        (e: unknown) => e,
      );
      t.match(String(error), new RegExp(expected.source.replace('FILE', file)), name);
    }
  }
});

t.test('a byte-order mark at the start of a later line (files saved with one, then concatenated)', async (t) => {
  // go-yaml v2 skips a BOM at the start of any line (scannerc.go, yaml_parser_scan_to_next_token:
  // "Allow the BOM mark to start a line"); read as a character, it hid the policy's apiVersion.
  const dir = tempDir(t, 'encodings');
  const file = join(dir, 'all.yaml');
  const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: d-redis}\n';
  writeFileSync(file, `\uFEFF${namespace}---\r\n\uFEFF${POLICY}`);
  const loaded = await loadManifests([file], inputIo());
  t.equal(loaded.cluster.policies.length, 1);
  t.equal(loaded.cluster.namespaces.length, 1);
});
