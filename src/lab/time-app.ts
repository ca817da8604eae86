// Where the lab finds the time app: its Debian 13 runtime (prepared by `npm run app:prepare`) and its bundle.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { appCommand, defaultCacheDir, rootfsIn } from '../../app/command.ts';
import type { RecipeContext } from './programs/program.ts';

/** Paths the time app needs; flags override the defaults. */
export interface TimeAppPaths {
  readonly rootfs: string;
  readonly appDir: string;
}

/** Defaults: the runtime cache of `npm run app:prepare`, and `app/` next to the binary (dist/app). */
export function defaultTimeAppPaths(): TimeAppPaths {
  // dist/prober and dist/app are siblings; from source, the entry is src/cli/main.ts.
  const dist = isSea() ? dirname(process.execPath) : resolve(dirname(process.argv[1] ?? '.'), '..', '..', 'dist');
  return { rootfs: rootfsIn(defaultCacheDir()), appDir: join(dist, 'app') };
}

/**
 * The lab's way to start the time app, or undefined with the reason when something is missing
 * (the lab only needs it when its manifests run the time app).
 */
export function timeAppLauncher(paths: TimeAppPaths): { launch?: RecipeContext['timeApp']; missing?: string } {
  if (!existsSync(join(paths.rootfs, 'usr', 'local', 'bin', 'node'))) {
    return {
      missing: `the time app's Debian 13 runtime is not prepared at ${paths.rootfs} (run \`npm run app:prepare\`, about 30 s once)`,
    };
  }
  if (!existsSync(join(paths.appDir, 'server.cjs')))
    return { missing: `the time app is not built at ${paths.appDir} (run \`npm run build\`)` };
  return { launch: (env) => appCommand({ rootfs: paths.rootfs, appDir: paths.appDir, env }) };
}
