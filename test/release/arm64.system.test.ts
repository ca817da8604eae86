// The linux-arm64 release executable, cross-built on x64, runs under qemu user-mode emulation like the x64 one.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { codeCacheAssets, SEA_FLAGS, seaBlobs } from '../../release/sea-blob.ts';
import { closedPort, listen, silentServer } from '../helpers/peers.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { releaseOf } from './release.ts';

// Debian's qemu-user-static runs the binary; the arm64 glibc and libstdc++ it loads come from the
// libc6-arm64-cross and libstdc++6-arm64-cross packages (.ci/debian-packages installs all three).
const SYSROOT = '/usr/aarch64-linux-gnu';
const dir = tempDir(t, 'arm64');
const out = await releaseOf(dir, ['linux-arm64']);
const archive = join(out, 'prober-0.1.0-linux-arm64.tar.gz');
spawnSync('tar', ['-xzf', archive, '-C', dir], { stdio: 'inherit' });
const arm64 = join(dir, 'prober');

/** Runs the arm64 binary under emulation, from / and without node_modules around it. */
const emulated = (args: string[], input?: string) =>
  spawnSync('qemu-aarch64-static', [arm64, ...args], {
    encoding: 'utf8',
    input,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', QEMU_LD_PREFIX: SYSROOT },
    timeout: 120_000,
  });

t.test('the archive holds an aarch64 ELF whose blob has no code cache or snapshot', async (t) => {
  const bytes = readFileSync(arm64);
  t.same([...bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'an ELF');
  t.equal(bytes.readUInt16LE(18), 183, 'e_machine EM_AARCH64 (183)');
  const blobs = seaBlobs(bytes);
  t.equal(blobs.length, 1, 'one SEA blob');
  t.equal(
    blobs[0]?.flags,
    SEA_FLAGS.disableExperimentalSeaWarning | SEA_FLAGS.includeAssets | SEA_FLAGS.includeExecArgv,
    'the warning flag, the bundles as assets and the Node options: no code cache, no snapshot',
  );
  t.equal(blobs[0]?.codePath, 'prober-boot.cjs', 'the boot script named without the build directory');
  t.same(codeCacheAssets(bytes, blobs[0]!), [], 'no code cache among the assets');
  // The x64 build of `npm run build` does carry code caches: the reader would see them.
  const host = readFileSync(requireBinary());
  t.same(
    codeCacheAssets(host, seaBlobs(host)[0]!),
    ['prober-start.cjs.cache', 'prober.cjs.cache'],
    "dist/prober's blob has both bundles' code caches",
  );
});

t.test('--version under emulation names linux-arm64 and the pinned Node', async (t) => {
  const out = emulated(['--version']);
  t.equal(out.status, 0, out.stderr);
  t.equal(out.stdout, 'prober 0.1.0 (node v24.21.0, linux-arm64)\n');
  t.equal(out.stderr, '', 'no warning (a foreign code cache would print one)');
});

t.test('probe on loopback: allow and deny', async (t) => {
  const port = await listen(t, silentServer());
  const closed = await closedPort();
  const out = emulated(['probe', '-o', 'json', `tcp://127.0.0.1:${port}`, `tcp://127.0.0.1:${closed}`]);
  t.equal(out.status, 0, out.stderr);
  const cells = JSON.parse(out.stdout).cells as { observed: string; reason: string }[];
  t.same(
    cells.map((c) => `${c.observed}/${c.reason}`),
    ['allow/connected', 'deny/refused'],
  );
});

t.test("simulate of the lab's policies gives the same matrix as the x64 binary", async (t) => {
  const args = ['simulate', '-f', join(ROOT, 'policies', 'networkpolicy'), '-f', join(ROOT, 'k8s'), '-o', 'json'];
  const arm = emulated(args);
  t.equal(arm.status, 0, arm.stderr);
  const x64 = spawnSync(requireBinary(), args, { encoding: 'utf8', cwd: '/' });
  const cells = (stdout: string) => JSON.parse(stdout).cells;
  t.ok(cells(arm.stdout).length > 10, 'a real matrix');
  t.same(cells(arm.stdout), cells(x64.stdout));
});

t.test('agent: a plan on stdin, JSON lines out', async (t) => {
  const port = await listen(t, silentServer());
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'arm64',
    defaults: { timeoutMs: 5000, attempts: 1, concurrency: 2 },
    probes: [{ id: 'open', url: `tcp://127.0.0.1:${port}` }],
  };
  const out = emulated(['agent'], JSON.stringify(plan));
  t.equal(out.status, 0, out.stderr);
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.match(lines, [
    { kind: 'ProbeResult', id: 'open', observed: 'allow' },
    { kind: 'AgentDone', source: 'arm64', probes: 1 },
  ]);
});
