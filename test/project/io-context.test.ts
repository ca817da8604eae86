// Nothing below src/cli/ touches process.stdin, process.stdout, process.stderr, process.env or
// process.cwd(): the entry point builds
// one I/O context (src/model/io.ts) from the real process and every layer below gets it passed down.
// The layer check (dependency-cruiser) sees imports only, and `process` is a global, so this scan is
// the rule; it names file:line of every breach. A scratch tree with planted lines proves it can fail.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * Files below src/ (outside cli/) that may read the process's own streams, environment or directory, each with why.
 * Empty: even the agent that runs in a pod and the lab's programs start through src/cli/main.ts.
 */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map();

// `process.stdout`, `process?.env`, `process['stderr']`, `globalThis.process.env`, `process.cwd()`, and a
// destructuring `const { env } = process`.
const MEMBER = /\bprocess\s*(?:\?\.|\.|\[\s*['"`])\s*(stdin|stdout|stderr|env|cwd)\b/;
const DESTRUCTURED = /\{[^}]*\b(stdin|stdout|stderr|env|cwd)\b[^}]*\}\s*=\s*(?:globalThis\.)?process\b/;

/** `file:line: text` of every use in `.ts` files below `src` (of `root`), outside src/cli/; comment lines are skipped. */
function breaches(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (entry.isDirectory()) {
        if (name !== join('src', 'cli')) walk(path);
      } else if (entry.name.endsWith('.ts') && !EXCEPTIONS.has(name)) {
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (/^\s*(\/\/|\/?\*)/.test(line)) return;
            if (MEMBER.test(line) || DESTRUCTURED.test(line)) found.push(`${name}:${index + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(join(root, 'src'));
  return found;
}

t.test(
  'nothing below src/cli/ reads process.stdin, process.stdout, process.stderr, process.env or cwd()',
  async (t) => {
    t.same(breaches(ROOT), [], 'take them from the I/O context (src/model/io.ts) the command was given');
  },
);

t.test('the scan names file:line of each planted use, and nothing else', async (t) => {
  const dir = tempDir(t, 'io-context');
  for (const sub of ['cli', 'probe', 'lab/programs']) mkdirSync(join(dir, 'src', sub), { recursive: true });
  writeFileSync(join(dir, 'src', 'cli', 'main.ts'), 'process.stdout.write("ok: the entry point");\n');
  writeFileSync(
    join(dir, 'src', 'probe', 'a.ts'),
    [
      '// process.stdout in a comment is no use',
      'const home = process.env.HOME;',
      "process['stderr'].write('x');",
      'const { env, argv } = process;',
      'globalThis.process?.stdout.write("y");',
      'const io = { stdout: out }; // an io.stdout is fine',
      'const pid = process.pid;',
      'const here = process.cwd();',
      'for await (const chunk of process.stdin) use(chunk);',
      'const { cwd } = process;',
      'const base = io.cwd; // an io.cwd and io.stdin are fine',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'src', 'lab', 'programs', 'b.ts'), ' * process.env in a JSDoc line\nenv.PATH;\n');
  t.same(
    breaches(dir).map((line) => line.replace(/: .*$/, '')),
    [
      'src/probe/a.ts:2',
      'src/probe/a.ts:3',
      'src/probe/a.ts:4',
      'src/probe/a.ts:5',
      'src/probe/a.ts:8',
      'src/probe/a.ts:9',
      'src/probe/a.ts:10',
    ],
  );
});
