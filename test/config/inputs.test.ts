// Whole inputs through the real binary: every `-f` that takes a test file reads stdin for `-`, and
// every input (test file, plan, stdin) is read with a bound that stops the reading at the limit, so a
// special file such as /dev/zero fails fast with one line instead of filling memory.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { listen } from '../helpers/peers.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const binary = requireBinary();

/**
 * Runs the binary with a 1 GiB cap on its data segment: a build that reads without a bound then dies
 * at once (instead of taking the test machine's memory), which fails the test all the same.
 */
function bounded(args: string[], options: { input?: string; stdinFile?: string } = {}) {
  const stdin = options.stdinFile
    ? ['-c', `exec prlimit --data=${1024 ** 3} "$0" "$@" < ${options.stdinFile}`, binary, ...args]
    : undefined;
  const [command, argv] = stdin ? ['sh', stdin] : ['prlimit', [`--data=${1024 ** 3}`, binary, ...args]];
  return spawnSync(command, argv, { encoding: 'utf8', input: options.input, cwd: '/', timeout: 60_000 });
}

/** [name, argv, stdin file (or none), the input named in the error, what it is] */
const oversized: [string, string[], string | undefined, string, string][] = [
  ['check -f /dev/zero', ['check', '-f', '/dev/zero'], undefined, '/dev/zero', 'a test file'],
  ['check -f - with /dev/zero on stdin', ['check', '-f', '-'], '/dev/zero', '<stdin>', 'a test file'],
  [
    'simulate --test /dev/zero',
    ['simulate', '--test', '/dev/zero', '-f', join(ROOT, 'k8s')],
    undefined,
    '/dev/zero',
    'a test file',
  ],
  ['agent --plan /dev/zero', ['agent', '--plan', '/dev/zero'], undefined, '/dev/zero', 'a probe plan'],
  ['agent with /dev/zero on stdin', ['agent'], '/dev/zero', '<stdin>', 'a probe plan'],
];

t.test('an endless or oversized input stops at the limit with one line naming it, exit 2', async (t) => {
  for (const [name, args, stdinFile, origin, what] of oversized) {
    const out = bounded(args, stdinFile ? { stdinFile } : {});
    t.equal(out.status, 2, `${name}: exit 2 (${out.stderr.split('\n')[0]})`);
    t.equal(out.stdout, '', `${name}: nothing run`);
    t.equal(out.stderr, `prober: ${origin}: is larger than 16 MiB, the most ${what} may hold\n`, name);
  }
});

t.test('an input just under the limit is read whole', async (t) => {
  const file = join(tempDir(t, 'inputs'), 'padded.yaml');
  const test = readFileSync(join(ROOT, 'policies', 'expectations.yaml'), 'utf8');
  // Comments pad the file to just under 16 MiB: it loads (and then fails only for its cluster sources).
  writeFileSync(file, test + `# ${'x'.repeat(1022)}\n`.repeat(Math.floor((16 * 1024 * 1024 - test.length) / 1025)));
  const out = bounded(['check', '-f', file]);
  t.equal(out.status, 2);
  t.match(out.stderr, /spec\.sources\.[a-z]+: check probes from here, so every source must be `local: true`/);
});

t.test('-f - reads the test from stdin: check, and simulate --test, with errors naming <stdin>', async (t) => {
  const port = await listen(
    t,
    createServer((socket) => socket.on('error', () => undefined)),
  );
  const test = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: from-stdin }
spec:
  sources: { here: { local: true } }
  targets:
    web: { url: "tcp://127.0.0.1:${port}" }
  expect:
    - { from: here, to: web, verdict: allow }
`;
  const check = bounded(['check', '-f', '-', '-o', 'json'], { input: test });
  t.equal(check.status, 0, check.stderr);
  t.match(JSON.parse(check.stdout), { metadata: { test: 'from-stdin' }, summary: { pass: 1 } });

  const bad = bounded(['check', '-f', '-'], { input: test.replace('verdict: allow', 'verdict: maybe') });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^prober: <stdin>:9: spec\.expect\[0\]\.verdict: must be one of "allow", "deny"\n$/);

  const expectations = join(ROOT, 'policies', 'expectations.yaml');
  const manifests = ['-f', join(ROOT, 'policies', 'networkpolicy'), '-f', join(ROOT, 'k8s'), '-o', 'json'];
  const fromFile = bounded(['simulate', '--test', expectations, ...manifests]);
  const fromStdin = bounded(['simulate', '--test', '-', ...manifests], { input: readFileSync(expectations, 'utf8') });
  t.equal(fromStdin.status, fromFile.status, fromStdin.stderr);
  const cells = (stdout: string) => (JSON.parse(stdout) as { cells: object[] }).cells;
  t.same(cells(fromStdin.stdout), cells(fromFile.stdout), 'the same judgement as from the file');
});
