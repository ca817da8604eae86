// Bundles the time app with esbuild into dist/app/: server.cjs plus uWebSockets.js's native module.

import { chmod, copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** Directory the bundle is written to (also what the runtime mounts at /app). */
export const APP_DIST_DIR = path.join(repoRoot, 'dist', 'app');

/**
 * The one uWebSockets.js binary the app ships: Linux x64 for Node 24 (module ABI 137),
 * the platform of the app image (node:24-trixie-slim) and of the test runtime.
 */
export const UWS_BINARY = 'uws_linux_x64_137.node';

// uWebSockets.js picks its binary with a computed require(); esbuild cannot follow that, so the
// package is replaced by a stub that loads the one shipped binary from beside the bundle.
const uwsStub = `
let uws;
try {
  uws = require('./${UWS_BINARY}');
} catch (error) {
  throw new Error('unable to load uWebSockets.js (${UWS_BINARY}): the app needs Node 24 on glibc >= 2.38 (Debian 13) x64; running ' + process.version + ' on ' + process.platform + '/' + process.arch, { cause: error });
}
module.exports = uws;
`;

/** @type {import('esbuild').Plugin} */
const uwsPlugin = {
  name: 'uws-native',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^uWebSockets\.js$/ }, () => ({ path: 'uws', namespace: 'uws-native' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'uws-native' }, () => ({ contents: uwsStub, loader: 'js' }));
    pluginBuild.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

// Replace a file in one step, so an app starting during a rebuild sees old or new, never half.
async function replaceFile(target, write) {
  const temporary = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await write(temporary);
  await chmod(temporary, 0o644);
  await rename(temporary, target);
}

/**
 * Builds the time app into {@link APP_DIST_DIR}.
 * @returns {Promise<{ outDir: string, files: string[] }>} the directory and the file names written
 */
export async function buildApp() {
  await mkdir(APP_DIST_DIR, { recursive: true, mode: 0o755 });
  await chmod(APP_DIST_DIR, 0o755);
  const result = await build({
    entryPoints: [path.join(repoRoot, 'app', 'src', 'server.ts')],
    outfile: path.join(APP_DIST_DIR, 'server.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
    plugins: [uwsPlugin],
  }).catch((cause) => {
    throw new Error('unable to bundle the time app', { cause });
  });
  const files = [];
  for (const output of result.outputFiles) {
    await replaceFile(output.path, (temporary) => writeFile(temporary, output.contents));
    files.push(path.basename(output.path));
  }
  const uwsSource = path.join(repoRoot, 'node_modules', 'uWebSockets.js', UWS_BINARY);
  await replaceFile(path.join(APP_DIST_DIR, UWS_BINARY), (temporary) => copyFile(uwsSource, temporary)).catch(
    (cause) => {
      throw new Error(`unable to copy ${uwsSource} (run npm ci)`, { cause });
    },
  );
  files.push(UWS_BINARY);
  return { outDir: APP_DIST_DIR, files };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, files } = await buildApp();
  console.log(`built ${files.join(', ')} in ${path.relative(process.cwd(), outDir) || '.'}`);
}
