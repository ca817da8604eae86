// Two release builds of one commit, made side by side in different directories, are the same bytes, file for file.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp.ts';
import { releaseOf } from './release.ts';

// One cross-built platform is enough to cover every source of difference (the blob, the injection, the
// archive, the SBOM, the manifest and the sums); release.test.ts builds them all once.
const dir = tempDir(t, 'reproducible');
const [first, second] = await Promise.all([
  releaseOf(dir, ['linux-arm64'], 'first'),
  releaseOf(dir, ['linux-arm64'], 'second'),
]);

t.test('every file of the two builds is the same', async (t) => {
  const names = readdirSync(first).sort();
  t.same(names, ['SHA256SUMS', 'prober-0.1.0-linux-arm64.tar.gz', 'prober-0.1.0.cdx.json', 'prober.krew.yaml']);
  t.same(readdirSync(second).sort(), names);
  for (const name of names) {
    t.ok(readFileSync(join(first, name)).equals(readFileSync(join(second, name))), `${name} is the same`);
  }
});
