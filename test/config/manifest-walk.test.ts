// Walking `-f DIR`: symbolic links, FIFOs, sockets and devices, the first error, and bounds on what is read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { type ManifestLimits, readManifestObjects } from '../../src/config/manifest-files.ts';
import { inputIo } from '../helpers/input-io.ts';
import type { Teardown } from '../helpers/netns.ts';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const WORKLOAD = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;

const names = (objects: readonly { value: unknown }[]): string[] =>
  objects.map((o) => (o.value as { metadata: { name: string } }).metadata.name);

async function failure(pending: Promise<unknown>): Promise<string> {
  try {
    await pending;
    return 'read without error';
  } catch (error) {
    return error instanceof ConfigError ? error.toString() : String(error);
  }
}

/** A directory with one real manifest, `web.yaml`. */
function withManifest(t: Teardown, what: string): string {
  const dir = tempDir(t, what);
  writeFileSync(join(dir, 'web.yaml'), WORKLOAD('web'));
  return dir;
}

t.test('links and special files met in a walk', async (t) => {
  const rows: [string, (dir: string) => void | Promise<void>][] = [
    ['a link back to the directory itself (a cycle) is not followed', (dir) => symlinkSync('.', join(dir, 'loop'))],
    [
      'two cycles, which would branch exponentially',
      (dir) => {
        symlinkSync('.', join(dir, 'a'));
        symlinkSync('..', join(dir, 'b'));
      },
    ],
    ['a link to a big directory (/usr) is not followed', (dir) => symlinkSync('/usr', join(dir, 'usr'))],
    ['a link named like a manifest that points at a directory', (dir) => symlinkSync('/usr', join(dir, 'usr.yaml'))],
    [
      'a FIFO named like a manifest is skipped, not read (a read would block forever)',
      (dir) => {
        const made = spawnSync('mkfifo', [join(dir, 'pipe.yaml')]);
        if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
      },
    ],
    [
      'a link to a FIFO is skipped too',
      (dir) => {
        spawnSync('mkfifo', [join(dir, 'fifo')]);
        symlinkSync('fifo', join(dir, 'fifo-link.yaml'));
      },
    ],
    ['a link to a character device (/dev/zero) is skipped', (dir) => symlinkSync('/dev/zero', join(dir, 'zero.yaml'))],
    [
      'a socket named like a manifest is skipped',
      async (dir) => {
        const server = createServer();
        await new Promise<void>((resolve) => server.listen(join(dir, 'sock.yaml'), resolve));
        t.teardown(() => server.close());
      },
    ],
  ];
  for (const [name, setup] of rows) {
    const dir = withManifest(t, 'walk');
    await setup(dir);
    const read = await readManifestObjects(['.'], inputIo(dir));
    t.same(read.files, ['web.yaml'], `${name}: only the real manifest is read`);
    t.same(names(read.objects), ['web'], name);
  }
});

t.test('what links do lead to', async (t) => {
  const dir = withManifest(t, 'links');
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'api.yaml'), WORKLOAD('api'));
  mkdirSync(join(dir, 'tree'));
  symlinkSync(join(dir, 'elsewhere', 'api.yaml'), join(dir, 'tree', 'api-link.yaml'));
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'tree', 'sub'));
  const walked = await readManifestObjects(['tree'], inputIo(dir));
  t.same(walked.files, ['tree/api-link.yaml'], 'a link to a manifest file is read; a linked directory is not walked');
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'named-link'));
  const named = await readManifestObjects(['named-link'], inputIo(dir));
  t.same(named.files, ['named-link/api.yaml'], 'a link named on the command line is followed');
});

t.test('the first error ends the walk, naming the path', async (t) => {
  const dir = withManifest(t, 'dangling');
  symlinkSync('missing.yaml', join(dir, 'a-dangling.yaml'));
  t.equal(
    await failure(readManifestObjects(['.'], inputIo(dir))),
    'a-dangling.yaml: unable to read manifests: a symbolic link to a missing file',
  );
  const loop = withManifest(t, 'self-link');
  symlinkSync('b.yaml', join(loop, 'a.yaml'));
  symlinkSync('a.yaml', join(loop, 'b.yaml'));
  t.equal(
    await failure(readManifestObjects(['.'], inputIo(loop))),
    'a.yaml: unable to read manifests: a loop of symbolic links',
  );
});

t.test('bounds: entries looked at, files, bytes', async (t) => {
  const dir = tempDir(t, 'bounds');
  for (let i = 0; i < 12; i++) await writeFile(join(dir, `w${String(i).padStart(2, '0')}.yaml`), WORKLOAD(`w${i}`));
  for (let i = 0; i < 8; i++) await writeFile(join(dir, `note${i}.txt`), 'not a manifest\n');
  const limits = (over: Partial<ManifestLimits>): ManifestLimits => ({
    entries: 1000,
    files: 1000,
    bytes: 1 << 20,
    ...over,
  });
  t.equal(
    (await readManifestObjects(['.'], inputIo(dir), limits({ entries: 20, files: 12 }))).files.length,
    12,
    'exactly at the limits',
  );
  t.match(
    await failure(readManifestObjects(['.'], inputIo(dir), limits({ entries: 19 }))),
    /^\.: more than 19 directory entries under the paths given: name the directories that hold the manifests$/,
  );
  t.match(
    await failure(readManifestObjects(['.'], inputIo(dir), limits({ files: 11 }))),
    /^w11\.yaml: more than 11 manifest files under the paths given/,
  );
  const total = Array.from({ length: 12 }, (_, i) => WORKLOAD(`w${i}`).length).reduce((a, b) => a + b);
  t.equal(
    (await readManifestObjects(['.'], inputIo(dir), limits({ bytes: total }))).files.length,
    12,
    'exactly the bytes allowed',
  );
  t.match(
    await failure(readManifestObjects(['.'], inputIo(dir), limits({ bytes: total - 1 }))),
    /^w11\.yaml: the manifests add up to more than .* MiB: name fewer or smaller files$/,
  );
});

t.test('a FIFO named on the command line is read (process substitution: -f <(kubectl get …))', async (t) => {
  const dir = tempDir(t, 'fifo');
  const fifo = join(dir, 'in');
  t.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const [read] = await Promise.all([readManifestObjects([fifo], inputIo(dir)), writeFile(fifo, WORKLOAD('piped'))]);
  t.same(names(read.objects), ['piped']);
});

t.test('through the binary: one line, exit 2, and the process ends', async (t) => {
  const binary = requireBinary();
  const dir = withManifest(t, 'binary');
  const dangling = join(dir, 'broken');
  mkdirSync(dangling);
  symlinkSync('nowhere.yaml', join(dangling, 'a.yaml'));
  // Before walks stopped at the first error, these kept the process busy after the error line.
  symlinkSync('.', join(dangling, 'l1'));
  symlinkSync('.', join(dangling, 'l2'));
  const rows: [string, string[], number, RegExp][] = [
    ['a cycle and a link to /usr next to a manifest', ['-f', 'cyclic'], 0, /^$/],
    [
      'a dangling link before two cycles',
      ['-f', 'broken'],
      2,
      /^prober: broken\/a\.yaml: unable to read manifests: a symbolic link to a missing file\n$/,
    ],
    [
      '/dev/zero named on the command line',
      ['-f', '/dev/zero'],
      2,
      /^prober: \/dev\/zero: the manifests add up to more than 64 MiB/,
    ],
    ['/proc, a tree of special files', ['-f', '/proc'], 2, /^prober: [^\n]*\n$/],
  ];
  mkdirSync(join(dir, 'cyclic'));
  writeFileSync(join(dir, 'cyclic', 'web.yaml'), WORKLOAD('web'));
  symlinkSync('.', join(dir, 'cyclic', 'loop'));
  symlinkSync('/usr', join(dir, 'cyclic', 'usr'));
  for (const [name, args, status, stderr] of rows) {
    const run = spawnSync(binary, ['simulate', ...args, '-o', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 1 << 26,
    });
    t.equal(run.signal, null, `${name}: ends by itself`);
    t.equal(run.status, status, `${name}: exit ${status}`);
    t.match(run.stderr.replace(/^prober: warning: .*\n/gm, ''), stderr, name);
  }
});
