// The dead-export check (`npm run lint:exports`: knip with knip.jsonc) fails on an export of src/ that
// nothing imports, and counts tests as users: a scratch copy of the tree gets one export of each kind.
// (`npm run lint` checks the tree itself.)

import { appendFileSync, copyFileSync, cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ROOT, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const KNIP = join(ROOT, 'node_modules', 'knip', 'bin', 'knip.js');

interface KnipReport {
  readonly issues: readonly {
    readonly file: string;
    readonly exports: readonly { readonly name: string }[];
    readonly types: readonly { readonly name: string }[];
  }[];
}

/** A copy of what the check reads: the sources, every entry (tests, benchmarks, app, release, k8s generators, build.mjs). */
function scratchTree(t: Test): string {
  const dir = tempDir(t, 'exports');
  for (const sub of ['src', 'test', 'bench', 'app', 'release', 'k8s']) {
    cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  }
  for (const file of ['build.mjs', 'package.json', 'tsconfig.json', 'knip.jsonc']) {
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** `file: name` for every unused export or exported type knip reports in `dir`, and its exit code. */
async function deadExports(dir: string): Promise<{ code: number | null; found: string[] }> {
  const run = startProcess([process.execPath, KNIP, '--reporter', 'json', '--no-progress'], { cwd: dir });
  const exit = await run.exited;
  const report = JSON.parse(exit.stdout) as KnipReport;
  const found = report.issues.flatMap((issue) =>
    [...issue.exports, ...issue.types].map((item) => `${issue.file}: ${item.name}`),
  );
  return { code: exit.code, found };
}

t.test('an export nothing imports fails the check; one only a test imports does not', async (t) => {
  const dir = scratchTree(t);
  appendFileSync(
    join(dir, 'src/model/names.ts'),
    [
      '/** Planted: nothing imports it. */',
      "export const plantedDead = 'dead';",
      '/** Planted: a type nothing imports. */',
      'export type PlantedDeadType = string;',
      '/** Planted: only the planted test imports it. */',
      "export const plantedTested = 'tested';",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'test/model/planted.test.ts'),
    "import t from 'tap';\nimport { plantedTested } from '../../src/model/names.ts';\nt.equal(plantedTested, 'tested');\n",
  );
  const { code, found } = await deadExports(dir);
  t.same(found.sort(), ['src/model/names.ts: PlantedDeadType', 'src/model/names.ts: plantedDead']);
  t.equal(code, 1, 'knip exits 1');
});
