// Commit subjects are at most 72 characters, the why goes in the body (CONTRIBUTING.md, Commits). Every
// commit newer than BASE is checked; older history is left as it was written. Needs git and the history
// back to BASE: without git, outside a git checkout, or in a shallow clone that stops before BASE, the
// check is skipped with the reason.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

/** main's last landed commit when the check came (2026-12-07): the commits after it are checked. */
export const BASE = '2406ef6228dd4d923f184dad509095228a2817e1';
/** The longest subject allowed: what `git log --oneline` and most tools show without cutting. */
export const MAX_SUBJECT = 72;

/** Who commits in the test's own repositories, whatever the user's git configuration says. */
const AS_TEST = ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];

/** `git ARGS` in `cwd`: its exit status (null when git could not start), output and the start error. */
function git(cwd: string, ...args: string[]) {
  // Without GIT_DIR and the like (set when this runs in a git hook), git finds the repository from cwd.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const run = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout?.trim() ?? '', stderr: run.stderr?.trim() ?? '', error: run.error };
}

/** Why the check cannot run in `cwd` (no git, no checkout, a shallow clone without `base`), or undefined. */
export function cannotCheck(cwd: string, base: string): string | undefined {
  const inside = git(cwd, 'rev-parse', '--is-inside-work-tree');
  if (inside.error) return `git cannot run here (${inside.error.message})`;
  // git says why when it will not read the checkout (not one, or owned by another user: safe.directory).
  if (inside.stdout !== 'true') return `${cwd} is not a git checkout git will read (${inside.stderr.split('\n')[0]})`;
  if (git(cwd, 'cat-file', '-e', `${base}^{commit}`).status === 0) return undefined;
  if (git(cwd, 'rev-parse', '--is-shallow-repository').stdout === 'true') {
    return `a shallow clone without the base commit ${base} (git fetch --unshallow to check)`;
  }
  return undefined; // a full history without the base: the check runs and says so
}

/** The commits after `base` whose subject is too long, as `<hash> (<length>): <subject>`. */
export function longSubjects(cwd: string, base: string): string[] {
  const log = git(cwd, 'log', '--format=%h%x09%s', `${base}..HEAD`);
  if (log.status !== 0) throw new Error(`git log ${base}..HEAD failed in ${cwd}: is ${base} in its history?`);
  return log.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t') as [string, string])
    .filter(([, subject]) => [...subject].length > MAX_SUBJECT)
    .map(([hash, subject]) => `${hash} (${[...subject].length}): ${subject}`);
}

const why = cannotCheck(ROOT, BASE);
/** The tests below make repositories of their own: they need only git. */
const noGit = why?.startsWith('git cannot run') ? why : false;

t.test(
  `no commit after ${BASE.slice(0, 7)} has a subject over ${MAX_SUBJECT} characters`,
  { skip: why ?? false },
  async (t) => {
    t.same(
      longSubjects(ROOT, BASE),
      [],
      'shorten these subjects (git rebase -i, reword) and move the rest to the body',
    );
  },
);

t.test('the check names a long subject and passes one of exactly 72 characters', { skip: noGit }, async (t) => {
  const dir = tempDir(t, 'commit-subjects');
  t.match(cannotCheck(dir, BASE) ?? '', /is not a git checkout/);
  const run = (...args: string[]) => t.equal(git(dir, ...args).status, 0, `git ${args.join(' ')}`);
  run('init', '--quiet');
  const commit = (subject: string, body = '') => {
    writeFileSync(join(dir, 'file'), subject);
    run('add', 'file');
    run(...AS_TEST, 'commit', '--quiet', '-m', subject, ...(body ? ['-m', body] : []));
  };
  commit('the base, whose subject is old history and may be as long as it was written at the time, unchecked');
  const base = git(dir, 'rev-parse', 'HEAD').stdout;
  const exact = 'x'.repeat(MAX_SUBJECT);
  commit(exact, 'a body line may be longer than the subject limit, and is not checked at all by this test');
  t.same(longSubjects(dir, base), [], `a subject of ${MAX_SUBJECT} characters passes`);
  const long = 'é'.repeat(MAX_SUBJECT + 1);
  commit(long);
  const found = longSubjects(dir, base);
  t.equal(found.length, 1, 'only the long one');
  t.match(found[0], new RegExp(`^[0-9a-f]+ \\(${MAX_SUBJECT + 1}\\): ${long}$`), 'named with its hash and length');
  t.throws(() => longSubjects(dir, '0'.repeat(40)), /is 0{40} in its history/, 'a base not in the history fails');
});

t.test('a shallow clone without the base skips with the reason', { skip: noGit }, async (t) => {
  const dir = tempDir(t, 'commit-subjects-shallow');
  const origin = join(dir, 'origin');
  const clone = join(dir, 'clone');
  const run = (cwd: string, ...args: string[]) => t.equal(git(cwd, ...args).status, 0, `git ${args.join(' ')}`);
  run(dir, 'init', '--quiet', origin);
  for (const n of [1, 2]) {
    writeFileSync(join(origin, 'file'), String(n));
    run(origin, 'add', 'file');
    run(origin, ...AS_TEST, 'commit', '--quiet', '-m', `c${n}`);
  }
  const first = git(origin, 'rev-parse', 'HEAD~1').stdout;
  run(dir, 'clone', '--quiet', '--depth=1', `file://${origin}`, clone);
  t.match(cannotCheck(clone, first), /^a shallow clone without the base commit [0-9a-f]{40}/);
  t.equal(cannotCheck(origin, first), undefined, 'the full history is checked');
});
