// THIRD-PARTY-NOTICES.txt of a release: the licence of Node and of every npm package esbuild put in the bundle.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * The package directories (relative to the repository) that the bundle's inputs come from, read from the
 * esbuild metafile build.mjs writes next to the bundle: `node_modules/a`, `node_modules/@s/b`, and nested
 * `node_modules/a/node_modules/c` (a second version of c is a second package with its own licence).
 */
export function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll('\\', '/'));
    if (match?.[1]) dirs.add(match[1]);
  }
  return [...dirs].sort();
}

/** A package's licence files (LICENSE, LICENCE, COPYING, NOTICE in any case and extension), sorted. */
function licenseFiles(dir) {
  return readdirSync(dir)
    .filter((name) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(name))
    .sort();
}

/**
 * The notices text. A package that ships no licence file is named with the licence its package.json
 * declares, so the gap is visible rather than silent.
 */
export function notices({ metafile, nodeVersion, nodeLicense }) {
  const parts = [
    'prober is licensed under the Apache License 2.0 (LICENSE). Its single executable also contains:',
    '',
    `== Node.js ${nodeVersion}, the runtime embedded in the executable ==`,
    '',
    nodeLicense.trim(),
  ];
  for (const dir of bundledPackages(metafile)) {
    const full = join(root, dir);
    if (!existsSync(join(full, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(full, 'package.json'), 'utf8'));
    parts.push('', `== ${pkg.name} ${pkg.version} (${pkg.license ?? 'no licence declared'}) ==`, '');
    const files = licenseFiles(full);
    if (files.length === 0) parts.push(`(the package ships no licence file; its package.json declares ${pkg.license})`);
    for (const file of files) parts.push(readFileSync(join(full, file), 'utf8').trim(), '');
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
