// CONTRIBUTING's test commands do what it says: `npx tap FILE` passes on a passing file (the coverage
// floor judges the whole suite, in `npm test`, not one file), and its `--grep` example selects a test.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  tap: Record<string, unknown>;
};

/** The `npx tap …` commands of CONTRIBUTING's table of test commands, as written. */
const examples = [...contributing.matchAll(/^\| `(npx tap [^`]+)` \|/gm)].map((m) => m[1] ?? '');

/** Words of a shell command line, with '…' quoting (all CONTRIBUTING uses). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

t.test('CONTRIBUTING shows a single-file run and a --grep run', async (t) => {
  t.ok(
    examples.some((e) => /^npx tap test\/\S+\.test\.ts$/.test(e)),
    `a single-file example among ${JSON.stringify(examples)}`,
  );
  t.ok(
    examples.some((e) => e.includes('--grep')),
    'a --grep example',
  );
});

t.test("every example's paths exist and its --grep pattern names a test of its file", async (t) => {
  for (const example of examples) {
    const args = words(example).slice(2);
    const paths = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--grep');
    for (const path of paths) t.ok(existsSync(join(ROOT, path)), `${example}: ${path} exists`);
    const grep = args[args.indexOf('--grep') + 1];
    if (!args.includes('--grep') || grep === undefined) continue;
    // tap's --grep matches the names of a file's top-level tests.
    const names = paths.flatMap((path) =>
      [...readFileSync(join(ROOT, path), 'utf8').matchAll(/^t\.test\(\s*(['"`])(.*?)\1/gms)].map((m) => m[2] ?? ''),
    );
    const pattern = new RegExp(grep);
    t.ok(
      names.some((name) => pattern.test(name)),
      `${example}: /${grep}/ matches one of ${JSON.stringify(names)}`,
    );
  }
});

/**
 * A project with the repository's tap configuration and a source file its one test covers half of:
 * tap run on it alone must pass, as `npx tap FILE` on a passing test file of the repository does,
 * while `npm test`'s own tap command still fails it on the coverage floor.
 */
t.test('one file passes with `npx tap FILE`; the floor still fails `npm test` on the suite', async (t) => {
  const dir = tempDir(t, 'contributing');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true, tap: pkg.tap }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(
    join(dir, 'src/half.ts'),
    'export function used(): number {\n  return 1;\n}\nexport function unused(): number {\n  return 2;\n}\n',
  );
  writeFileSync(
    join(dir, 'test/half.test.ts'),
    "import t from 'tap';\nimport { used } from '../src/half.ts';\nt.equal(used(), 1, 'used');\n",
  );
  // A clean environment: a tap inside a tap run would otherwise take itself for one of its children.
  const env = { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, HOME: dir };
  const tap = (args: string[]) =>
    spawnSync(join(ROOT, 'node_modules/.bin/tap'), args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });

  const single = tap(['test/half.test.ts']);
  t.equal(single.status, 0, 'npx tap test/half.test.ts passes', { output: `${single.stdout}${single.stderr}` });
  t.match(single.stdout, /Statements\s*:\s*\d/, 'and still prints the coverage summary');

  // `npm test` ends with its own tap command (then, if it failed, the summary of its failures): the
  // same command on the suite fails below the floor.
  const last = pkg.scripts.test?.split('&&').pop() ?? '';
  const suiteCommand = /(?:^|[\s{])(tap(?: [^|;{}]*)?)/.exec(last)?.[1]?.trim() ?? '';
  t.match(suiteCommand, /^tap\b/, `npm test ends with a tap command (${last.trim()})`);
  const suite = tap(words(suiteCommand).slice(1));
  t.equal(suite.status, 1, `${suiteCommand} fails on coverage under the floor`, {
    output: `${suite.stdout}${suite.stderr}`,
  });
  t.match(`${suite.stdout}${suite.stderr}`, /ok 1 - test\/half\.test\.ts/, 'although the test itself passed');
});
