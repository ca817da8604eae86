// The binary carries its code as two bundles (build.mjs): the start bundle, which holds `--version` and the
// START_COMMANDS, and the full bundle, which holds every command. A tiny boot script, the SEA's main
// script (boot.ts), runs the start bundle; the start bundle hands any other command line to the full one.
// Each is a SEA asset, compiled here as Node compiles a CommonJS file, with the V8 code cache the build
// made for it (none in a release: see release/README.md). Run from files (`node dist/prober-boot.cjs`),
// the bundle beside this one is required instead.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getAsset, getRawAsset, isSea } from 'node:sea';
import { Script } from 'node:vm';

/** The bundles' names: SEA asset keys, and their files side by side in dist/. */
export const BUNDLES = { start: 'prober-start.cjs', full: 'prober.cjs' } as const;

/** The asset that holds a bundle's code cache, when the build made one. */
export const cacheAsset = (bundle: string): string => `${bundle}.cache`;

/** CommonJS's module wrapper: the build makes each code cache of exactly this text. */
export function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

function codeCache(bundle: string): Buffer | undefined {
  try {
    return Buffer.from(getRawAsset(cacheAsset(bundle)));
  } catch {
    // A release binary carries no code cache.
    return undefined;
  }
}

/**
 * Runs a bundle in this process, with the command line as it is. `ownRequire` is the caller's
 * `require`: in a SEA it loads Node's built-in modules only, so nothing is ever read from beside the
 * binary. With PROBER_DEBUG set, a code cache V8 rejects is said on stderr.
 */
export function runBundle(bundle: string, ownRequire: NodeJS.Require, env: NodeJS.ProcessEnv): void {
  if (!isSea()) {
    createRequire(__filename)(join(__dirname, bundle));
    return;
  }
  const cachedData = codeCache(bundle);
  const script = new Script(wrapCommonJs(getAsset(bundle, 'utf8')), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cachedData && script.cachedDataRejected && env.PROBER_DEBUG)
    process.stderr.write(`prober: the code cache of ${bundle} was rejected; compiling it instead\n`);
  const module = { exports: {}, id: '.', filename: process.execPath, loaded: false, children: [], paths: [] };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, ownRequire, module, process.execPath, dirname(process.execPath));
}
