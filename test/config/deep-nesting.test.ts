// Absurdly deep nesting through the binary, in a 64 MB heap: refused at the first pass, one line naming file:line.
//
// Kubernetes' own YAML parser stops at 10,000 levels (go-yaml v2, scannerc.go: max_flow_level and
// max_indents); prober stops at 500 (TREE_LIMITS.depth), which no real manifest comes near. Before,
// 3.2 MB of `[` cost 17 s and 2 GB before "nested too deeply", and 6.4 MB aborted the heap.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const HEAP_MB = 64;
const DEPTH = 3_200_000;
const flow = (open: string, close: string) => `${open.repeat(DEPTH)}${close.repeat(DEPTH)}`;

const TEST_HEAD =
  'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: deep}\nspec:\n  sources:\n    here: {local: true}\n';
const MANIFEST_HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep, namespace: default}\n';

/** [name, argv before the file, file text, line the error names]. */
const rows: [string, string[], string, number][] = [
  ['flow lists in a manifest', ['simulate', '-f'], `${MANIFEST_HEAD}data:\n  x: ${flow('[', ']')}\n`, 5],
  ['flow maps in a manifest', ['simulate', '-f'], `${MANIFEST_HEAD}data:\n  x: ${flow('{a: ', '}')}\n`, 5],
  ['block lists in a manifest', ['simulate', '-f'], `${MANIFEST_HEAD}data:\n  x:\n  ${'- '.repeat(DEPTH)}x\n`, 6],
  ['flow lists in a test file', ['check', '-f'], `${TEST_HEAD}  x: ${flow('[', ']')}\n`, 7],
  ['a JSON plan', ['agent', '--plan'], `{\n"probes": ${flow('[', ']')}}\n`, 2],
];

t.test(`deep nesting is refused in a ${HEAP_MB} MB heap, naming file and line`, async (t) => {
  const binary = requireBinary();
  const dir = tempDir(t, 'deep');
  for (const [index, [name, argv, text, line]] of rows.entries()) {
    const file = join(dir, `${index}.${argv[0] === 'agent' ? 'json' : 'yaml'}`);
    writeFileSync(file, text);
    const run = spawnSync(binary, [...argv, file], {
      encoding: 'utf8',
      timeout: 120_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
    });
    t.equal(run.signal, null, `${name}: not killed (an out-of-memory abort is SIGABRT)`);
    t.equal(run.status, 2, `${name}: exit 2`);
    t.equal(run.stderr, `prober: ${file}:${line}: invalid YAML: nested more than 500 levels deep\n`, name);
  }
});
