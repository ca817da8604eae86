// Builds a release for the tests (node release/release.mjs) into a directory of the test's, once per test file.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/prober.ts';

/** A fixed source date, so that what two builds write can be compared with a known value. */
export const SOURCE_DATE_EPOCH = '1780000000';

/**
 * Runs `npm run release` for `platforms` (all when not given) into `dir`/`name` and resolves to that
 * directory; rejects with the script's stderr if it fails. Two calls may run side by side.
 */
export function releaseOf(dir: string, platforms?: readonly string[], name = 'out'): Promise<string> {
  const out = join(dir, name);
  const args = [join(ROOT, 'release', 'release.mjs'), '--out', out];
  if (platforms) args.push('--platforms', platforms.join(','));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SOURCE_DATE_EPOCH, PROBER_IMAGE_REPO: '', PROBER_RELEASE_URL: '' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`release failed (${code}): ${stderr}`))));
  });
}
