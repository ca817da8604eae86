// Writes BUNDLE.cache, the V8 code cache of a bundle as src/cli/bundle-asset.ts compiles it (build.mjs runs
// this with the pinned Node and the binary's own flags: V8 rejects a cache made under others).
//
//   node [FLAGS] release/code-cache.mjs BUNDLE               # the code compiled up front only
//   node [FLAGS] release/code-cache.mjs BUNDLE -- ARGS...    # and every function ARGS ran
//
// With ARGS the bundle runs as `prober ARGS` would, and the cache is written as it exits: V8 then keeps
// the functions that command line compiled, which the binary would otherwise compile at each start. An
// existing BUNDLE.cache is used and extended, so several command lines warm one cache in turn.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { Script } from 'node:vm';
import { wrapCommonJs } from '../src/cli/bundle-asset.ts';

const [given, separator, ...args] = process.argv.slice(2);
if (given === undefined || (separator !== undefined && separator !== '--'))
  throw new Error('usage: code-cache.mjs BUNDLE [-- ARGS...]');
const bundle = resolve(given);
const file = `${bundle}.cache`;
const cachedData = existsSync(file) ? readFileSync(file) : undefined;
const script = new Script(wrapCommonJs(readFileSync(bundle, 'utf8')), {
  filename: basename(bundle),
  ...(cachedData ? { cachedData } : {}),
});
if (cachedData && script.cachedDataRejected) throw new Error(`${file}: V8 rejected the cache being extended`);
const write = () => writeFileSync(file, script.createCachedData());
if (args.length === 0) {
  write();
} else {
  process.argv = [process.argv[0], bundle, ...args];
  // A command line that fails warms nothing worth keeping: the build stops on its exit code.
  process.on('exit', (code) => {
    if (code === 0) write();
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}
