// The docs' runnable examples run exactly as written: every ```console runnable block of the README and
// docs/ is a terminal session (`$ command`, then what it prints), run with the built dist/prober first on
// the PATH, from the repository's root, as an unprivileged user (the "without root" promise), and what
// each command prints — and `echo $?`, its exit code — must be what the page shows. `…` stands for any
// text within a line, or for any lines when alone on one. Needs `npm run build` first.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { until } from '../helpers/wait.ts';

/** A `$ command` of a session and the lines the page shows after it. */
interface Step {
  readonly command: string;
  readonly output: readonly string[];
}

/** The Markdown pages whose sessions run: the README and docs/. */
function pages(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }))
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith('.md')) found.push(`${dir}/${entry.name}`);
  };
  walk('docs');
  return found;
}

/** The runnable sessions of a page, each as its steps. */
export function sessions(markdown: string): Step[][] {
  return [...markdown.matchAll(/^```console runnable\n([\s\S]*?)^```$/gm)].map((block) => {
    const steps: { command: string; output: string[] }[] = [];
    for (const line of (block[1] ?? '').replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
      else steps.at(-1)?.output.push(line);
    }
    return steps;
  });
}

/** Whether `actual` is what `expected` shows: `…` is any text in a line, a line of `…` any lines. */
export function shows(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === 0) return actual.length === 0;
  const [first, ...rest] = expected;
  if (first === '…') return actual.some((_, i) => shows(rest, actual.slice(i))) || shows(rest, []);
  if (actual.length === 0) return false;
  const pattern = new RegExp(
    `^${(first ?? '')
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return pattern.test(actual[0] ?? '') && shows(rest, actual.slice(1));
}

/** A command's output as lines: stdout then stderr, trailing blanks and spaces dropped. */
const lines = (text: string): string[] =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line, i, all) => line !== '' || i < all.length - 1);

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * Whether commands run as an unprivileged user: when the tests run as root (they do in `npm test`) and
 * that user can reach the checkout (a checkout below a private home directory cannot be).
 */
const unprivileged =
  process.getuid?.() !== 0 ||
  // Absolute paths, as PATH names the binary: relative ones from a working directory the child already
  // stands in would not cross a private directory above the checkout (a clone under mktemp's 0700).
  spawnSync('setpriv', [
    ...NOBODY,
    'test',
    '-x',
    join(ROOT, 'dist', 'prober'),
    '-a',
    '-r',
    join(ROOT, 'examples', 'test.yaml'),
  ]).status === 0;

/** The command as an unprivileged user when the tests run as root. */
function asUser(command: string): [string, string[]] {
  if (process.getuid?.() !== 0 || !unprivileged) return ['bash', ['-c', command]];
  return ['setpriv', [...NOBODY, 'bash', '-c', command]];
}

const env = {
  PATH: `${join(ROOT, 'dist')}:/usr/local/bin:/usr/bin:/bin`,
  HOME: '/tmp',
  LANG: 'C.UTF-8',
};

t.test('shows: literal lines, … within a line, … for any lines', async (t) => {
  t.ok(shows(['a', 'b'], ['a', 'b']));
  t.notOk(shows(['a', 'b'], ['a', 'c']), 'a different line');
  t.notOk(shows(['a'], ['a', 'b']), 'a line more');
  t.ok(shows(['took … ms'], ['took 12.5 ms']));
  t.notOk(shows(['took … ms'], ['took 12.5 s']));
  t.ok(shows(['a', '…', 'z'], ['a', 'b', 'c', 'z']));
  t.ok(shows(['a', '…', 'z'], ['a', 'z']));
  t.notOk(shows(['a', '…', 'z'], ['a', 'b']));
});

const found = pages().flatMap((page) =>
  sessions(readFileSync(join(ROOT, page), 'utf8')).map((steps, i) => ({ page, i, steps })),
);

t.test('the README has a runnable session, with check and serve (the 60-second try)', async (t) => {
  const readme = found.filter((s) => s.page === 'README.md').flatMap((s) => s.steps.map((step) => step.command));
  t.ok(
    readme.some((c) => /^prober serve .*&$/.test(c)),
    'a prober serve in the background',
  );
  t.ok(
    readme.some((c) => c.startsWith('prober check -f examples/')),
    'a prober check of a file in examples/',
  );
});

for (const { page, i, steps } of found) {
  t.test(`${page}, runnable session ${i + 1}: each command prints what the page shows`, async (t) => {
    requireBinary();
    if (!unprivileged) {
      // A session that shows what a user without root sees cannot be run as root: as root, `lab up` would start.
      if (process.getuid?.() === 0 && steps.some((step) => step.output.some((line) => line.includes('needs root'))))
        return t.plan(0, 'shows what a user without root sees, and uid 65534 cannot reach the checkout');
      t.comment('the checkout is out of reach of uid 65534: the sessions run as root');
    }
    const background: ChildProcess[] = [];
    // Stopped and waited for, so the next session can listen on the same port.
    t.teardown(() =>
      Promise.all(
        background.map((child) =>
          child.exitCode !== null || child.signalCode !== null
            ? undefined
            : new Promise((done) => {
                child.once('exit', done);
                child.kill('SIGTERM');
              }),
        ),
      ),
    );
    let lastCode: number | null = null;
    for (const { command, output } of steps) {
      if (command === 'echo $?') {
        t.same(output, [String(lastCode)], `${command} after the command before`);
        continue;
      }
      if (command.endsWith('&')) {
        // A target started in the background: wait until it says what the page shows (it is listening).
        const [file, args] = asUser(`exec ${command.slice(0, -1).trim()}`);
        const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        background.push(child);
        let seen = '';
        child.stdout?.on('data', (chunk) => (seen += chunk));
        child.stderr?.on('data', (chunk) => (seen += chunk));
        await until(`"${command}" to print ${JSON.stringify(output)} (it printed ${JSON.stringify(seen)})`, () =>
          shows(output, lines(seen)),
        );
        continue;
      }
      const [file, args] = asUser(command);
      const run = spawnSync(file, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      lastCode = run.status;
      const actual = lines(`${run.stdout}${run.stderr}`);
      t.ok(shows(output, actual), command, { found: actual.join('\n'), wanted: output.join('\n') });
    }
  });
}

t.test('every examples/ file the README and docs name exists', async (t) => {
  for (const page of pages()) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const m of text.matchAll(/\bexamples\/[\w./-]*[\w]/g))
      t.ok(existsSync(join(ROOT, m[0])), `${page}: ${m[0]} exists`);
  }
});

t.test("the README's first screen keeps the two set-up commands", async (t) => {
  const first = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 30).join('\n');
  t.match(first, /^npm start +# /m, 'npm start');
  t.match(first, /^npm test +# /m, 'npm test');
});
