// Trust rule 8: the exit code is the verdict whatever happens to stdout — a reader that left, a full disk.
//
// Each run is the real binary with stdout a pipe whose read end this test closes before prober writes
// (or after its first chunk, for a report larger than a pipe holds): every write then fails with EPIPE.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { closedPort } from '../helpers/peers.ts';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { SHOP_CLOSED } from './shop-closed.ts';

const binary = requireBinary();

interface Ended {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the binary with stdout a pipe closed at once (`whenFirstChunk`: after its first chunk arrived). */
function withClosedStdout(args: readonly string[], cwd: string, whenFirstChunk = false): Promise<Ended> {
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (whenFirstChunk) child.stdout.once('data', () => child.stdout.destroy());
  else child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

const dir = tempDir(t, 'closed-stdout');
const closed = await closedPort();
writeFileSync(
  join(dir, 'check.yaml'),
  `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: closed-stdout }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources: { here: { local: true } }
  targets:
    closed: { url: "tcp://127.0.0.1:${closed}", liveness: none }
  expect:
    - { from: here, to: closed, verdict: allow }
`,
);
mkdirSync(join(dir, 'k8s'));
writeFileSync(join(dir, 'k8s', 'all.yaml'), SHOP_CLOSED);
writeFileSync(
  join(dir, 'sim.yaml'),
  `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: sim-closed-stdout}
spec:
  sources:
    web: {namespace: shop, selector: {app: web}}
  targets:
    web: {url: "tcp://web.shop:8080"}
  expect:
    - {from: web, to: web, verdict: allow}
`,
);
writeFileSync(
  join(dir, 'sim-undecided.yaml'),
  `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: sim-undecided}
spec:
  sources:
    web: {namespace: shop, selector: {app: web}}
  targets:
    nowhere: {url: "tcp://nowhere.shop:8080"}
  expect:
    - {from: web, to: nowhere, verdict: allow}
`,
);

t.test('probe --expect: a mismatch is exit 1 with the reader gone, and nothing on stderr', async (t) => {
  const ended = await withClosedStdout(
    ['probe', '--expect', 'allow', '--liveness', 'none', `tcp://127.0.0.1:${closed}`],
    dir,
  );
  t.equal(ended.code, 1);
  t.equal(ended.stderr, '');
});

for (const format of ['table', 'json', 'junit', 'markdown', 'html', 'svg'] as const) {
  t.test(`check -o ${format}: a mismatch is exit 1 with the reader gone`, async (t) => {
    const ended = await withClosedStdout(['check', '-f', 'check.yaml', '-o', format], dir);
    t.equal(ended.code, 1, ended.stderr);
    t.equal(ended.stderr, '');
  });
}

t.test('simulate --test: a mismatch stays 1 and an undecidable cell 2 with the reader gone', async (t) => {
  const mismatch = await withClosedStdout(['simulate', '--test', 'sim.yaml', '-f', 'k8s'], dir);
  t.equal(mismatch.code, 1, mismatch.stderr);
  const undecided = await withClosedStdout(['simulate', '--test', 'sim-undecided.yaml', '-f', 'k8s'], dir);
  t.equal(undecided.code, 2, undecided.stderr);
});

t.test('--version, which writes its line before any stream is made, keeps the same rules', async (t) => {
  for (const flag of ['--version', '-V']) {
    const gone = await withClosedStdout([flag], dir);
    t.same(gone, { code: 0, stderr: '' }, `${flag}: the reader left, nothing was to decide`);
    const full = openSync('/dev/full', 'w');
    const ended = spawnSync(binary, [flag], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    closeSync(full);
    t.equal(ended.status, 2, `${flag} on a full disk`);
    t.equal(ended.stderr, 'prober: cannot write the output (ENOSPC); the report is lost, its verdict was exit 0\n');
  }
});

t.test('a report larger than the pipe holds: the reader leaves mid-report, the verdict stays', async (t) => {
  // 600 cells of JSON, about 200 KB: prober is waiting for the pipe to drain when the reader goes.
  const urls = Array.from({ length: 600 }, (_, i) => `tcp://127.0.${Math.floor(i / 250)}.${(i % 250) + 1}:${closed}`);
  const args = ['probe', '--expect', 'allow', '--liveness', 'none', '--concurrency', '64', '-o', 'json', ...urls];
  const ended = await withClosedStdout(args, dir, true);
  t.equal(ended.code, 1, ended.stderr);
});

t.test('a full disk: exit 2 with one line that names the verdict, never 0', async (t) => {
  for (const [args, verdict] of [
    [['probe', '--expect', 'deny', '--liveness', 'none', `tcp://127.0.0.1:${closed}`], 0],
    [['probe', '--expect', 'allow', '--liveness', 'none', `tcp://127.0.0.1:${closed}`], 1],
    [['check', '-f', 'check.yaml', '-o', 'junit'], 1],
  ] as const) {
    const full = openSync('/dev/full', 'w');
    const ended = spawnSync(binary, args, { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    closeSync(full);
    t.equal(ended.status, 2, `${args.join(' ')}: ${ended.stderr}`);
    t.match(
      ended.stderr,
      new RegExp(
        `^prober: cannot write the output \\(ENOSPC\\); the report is lost, its verdict was exit ${verdict}\\n$`,
      ),
    );
  }
});
