// The agents' default image repository is fixed when the binary is built (PROBER_IMAGE_REPO), not read at run time.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

/** Bundles the CLI as build.mjs does, with PROBER_IMAGE_REPO set to `repo`, into `dir`; returns node's result. */
function bundleWith(dir: string, repo: string) {
  const script = `import { bundleProber } from ${JSON.stringify(join(ROOT, 'build.mjs'))};
await bundleProber(${JSON.stringify(join(dir, 'prober.cjs'))});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PROBER_IMAGE_REPO: repo },
  });
}

t.test(
  "a fork's repository becomes `prober run`'s default --image, whatever the environment at run time",
  async (t) => {
    const dir = tempDir(t, 'image-repo');
    const built = bundleWith(dir, 'ghcr.io/acme/prober');
    t.equal(built.status, 0, built.stderr);
    const help = spawnSync(process.execPath, [join(dir, 'prober.cjs'), 'run', '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PROBER_IMAGE_REPO: 'ghcr.io/someone-else/prober' },
    });
    t.match(help.stdout.replace(/\s+/g, ' '), /\(default: "ghcr\.io\/acme\/prober:\d+\.\d+\.\d+"\)/);
  },
);

t.test('a repository with a tag, or in capitals, is refused at build time, naming the variable', async (t) => {
  for (const bad of ['ghcr.io/acme/prober:1.0', 'ghcr.io/Acme/prober', 'prober@sha256:abc']) {
    const built = bundleWith(tempDir(t, 'image-repo-bad'), bad);
    t.not(built.status, 0, bad);
    t.match(built.stderr, /PROBER_IMAGE_REPO: ".*" is not an image repository without tag/, bad);
  }
});
