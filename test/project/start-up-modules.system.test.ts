// Node's own modules the binary loads before a command's work: `--version` makes no stream, and an
// agent or a `probe` neither opens stdin, nor loads fs/promises, readline, file streams or perf_hooks
// (each was a part of their start-up). Node lists what it loaded in process.moduleLoadList; a preload
// given in NODE_OPTIONS writes that list when the binary exits.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const binary = requireBinary();
const dir = tempDir(t, 'start-up-modules');
const preload = join(dir, 'list-modules.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));\n",
);
const plan = join(dir, 'plan.json');
writeFileSync(
  plan,
  JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'start-up',
    defaults: { timeoutMs: 1000, attempts: 1, concurrency: 4 },
    probes: [],
  }),
);

const test = join(dir, 'test.yaml');
writeFileSync(
  test,
  `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: start-up }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources: { here: { local: true } }
  targets: { closed: { url: "tcp://127.0.0.1:1", liveness: none } }
  expect: [{ from: here, to: closed, verdict: deny }]
`,
);

/**
 * Node's built-in modules the binary loaded running `args`. Stdin is /dev/null, a file to Node: opening
 * it would load the file streams, so their absence also says stdin was left alone.
 */
function loaded(args: readonly string[]): string[] {
  const list = join(dir, `modules-${args[0]}.txt`);
  const run = spawnSync(binary, args, {
    env: { PATH: process.env.PATH, NODE_OPTIONS: `--require ${preload}`, MODULE_LIST: list },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0 && run.status !== 2) throw new Error(`prober ${args.join(' ')}: ${run.stderr}`);
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('NativeModule '))
    .map((line) => line.slice('NativeModule '.length));
}

t.test('--version makes no stream (bare Node loads only stream helpers)', async (t) => {
  t.same(
    loaded(['--version']).filter((m) =>
      /^(stream|net|tty|internal\/streams\/(readable|writable)|internal\/fs\/sync_write_stream)$/.test(m),
    ),
    [],
  );
});

for (const args of [
  ['agent', '--plan', plan],
  ['probe', '--timeout', '1s', 'tcp://127.0.0.1:1'],
]) {
  t.test(`${args[0]} loads neither stdin's streams, fs/promises, readline nor perf_hooks`, async (t) => {
    t.same(
      loaded(args).filter((m) =>
        /^internal\/fs\/(streams|promises)$|readline|^perf_hooks$|internal\/perf\/performance$/.test(m),
      ),
      [],
    );
  });
}

t.test('check -f FILE leaves stdin alone', async (t) => {
  // Its policy loading brings fs/promises; the file streams come only with a stdin opened.
  t.same(
    loaded(['check', '-f', test]).filter((m) => m === 'internal/fs/streams'),
    [],
  );
});
