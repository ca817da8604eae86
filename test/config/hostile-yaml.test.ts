// Hostile YAML through the binary: alias bombs, collection keys, bad aliases, duplicates, deep nesting — file:line, no Node warnings.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

/** Nine levels of ten aliases each: a billion strings once expanded. */
const BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x, x]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
].join('\n');

const TEST_HEAD =
  'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: hostile}\nspec:\n  sources:\n    here: {local: true}\n';
const TEST_TAIL =
  '  targets:\n    web: {url: "tcp://127.0.0.1:9"}\n  expect:\n    - {from: here, to: web, verdict: deny}\n';
const MANIFEST_HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile, namespace: default}\n';

/** [name, file name, text, expected stderr] for `check -f` (test files) and `simulate -f` (manifests). */
const rows: [string, 'check' | 'simulate', string, RegExp][] = [
  [
    'alias bomb in a test file',
    'check',
    `${TEST_HEAD}${TEST_TAIL}  x-bomb:\n${BOMB.replace(/^/gm, '    ')}\n`,
    /^prober: FILE:17: invalid YAML: aliases expand to more than 1,000,000 nodes/,
  ],
  [
    'alias bomb in a manifest',
    'simulate',
    `${MANIFEST_HEAD}data:\n${BOMB.replace(/^/gm, '  ')}\n`,
    /^prober: FILE:10: invalid YAML: aliases expand to more than 1,000,000 nodes/,
  ],
  [
    'a list as a map key in a test file',
    'check',
    `${TEST_HEAD}${TEST_TAIL}  ? [a, b]\n  : 1\n`,
    /^prober: FILE:11: invalid YAML: a list cannot be a map key/,
  ],
  [
    'a map as a map key in a manifest',
    'simulate',
    `${MANIFEST_HEAD}data:\n  ? {a: 1}\n  : x\n`,
    /^prober: FILE:5: invalid YAML: a map cannot be a map key/,
  ],
  [
    'an alias with no anchor',
    'check',
    `${TEST_HEAD}${TEST_TAIL}  defaults: *nothing\n`,
    /^prober: FILE:11: invalid YAML: alias \*nothing refers to no anchor before it/,
  ],
  [
    'an alias inside its own anchor',
    'simulate',
    `${MANIFEST_HEAD}data: &loop\n  self: *loop\n`,
    /^prober: FILE:5: invalid YAML: alias \*loop refers to a node that contains it/,
  ],
  [
    'a duplicate key in a manifest',
    'simulate',
    `${MANIFEST_HEAD}data:\n  a: 1\n  b: 2\n  a: 3\n`,
    /^prober: FILE:7: invalid YAML: Map keys must be unique: "a" is already a key at line 5/,
  ],
  [
    'nesting 100,000 levels deep',
    'check',
    `${TEST_HEAD}  x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    /^prober: FILE:7: invalid YAML: nested more than 500 levels deep/,
  ],
];

t.test('each hostile file is one line naming file:line, exit 2, and no Node warning', async (t) => {
  const binary = requireBinary();
  const dir = tempDir(t, 'hostile');
  for (const [index, [name, command, text, stderr]] of rows.entries()) {
    const file = join(dir, `${index}.yaml`);
    writeFileSync(file, text);
    const run = spawnSync(binary, [command, '-f', file], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    t.equal(run.status, 2, `${name}: exit 2`);
    t.match(run.stderr, new RegExp(stderr.source.replace('FILE', file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))), name);
    t.equal(run.stderr.split('\n').length, 2, `${name}: one line`);
    t.notMatch(run.stderr, /Warning:|DEP0/, `${name}: no Node warning`);
  }
});
