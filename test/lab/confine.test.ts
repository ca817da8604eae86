// The lab's one gate for files: paths outside its root are refused, and a symlink planted on the way
// (or at the place of the file) is refused or removed, never followed to write or delete elsewhere.

import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  ConfinementError,
  confine,
  mkdirIn,
  readFileIn,
  removeIn,
  renameIn,
  symlinkIn,
  writeFileIn,
} from '../../src/lab/confine.ts';
import { tempDir } from '../helpers/temp.ts';

const ROOT = '/run/prober-lab/x';

/** [row name, path, inside (the resolved path) or undefined when refused] */
const paths: [string, string, string | undefined][] = [
  ['a file inside', `${ROOT}/logs/a.log`, `${ROOT}/logs/a.log`],
  ['relative to the root', 'pods/a', `${ROOT}/pods/a`],
  ['.. that stays inside', `${ROOT}/pods/../logs`, `${ROOT}/logs`],
  ['.. that climbs out', `${ROOT}/logs/../../../../root/victim`, undefined],
  ['a name ending in .. is a name', `${ROOT}/pods/web..`, `${ROOT}/pods/web..`],
  ['the traversal of the report', `${ROOT}/logs/web.../../../../../tmp/logtarget.log`, undefined],
  ['an absolute path elsewhere', '/etc/cron.d/x', undefined],
  ['a sibling with the root as prefix', '/run/prober-lab/xy/state.json', undefined],
  ['the root itself', ROOT, undefined],
];

for (const [name, path, want] of paths) {
  t.test(`confine: ${name}`, async (t) => {
    if (want) t.equal(confine(ROOT, path), want);
    else t.throws(() => confine(ROOT, path), ConfinementError);
  });
}

/** A root with a victim directory next to it, holding a file that must survive. */
function setup(t: Parameters<typeof tempDir>[0]): { root: string; victim: string } {
  const dir = tempDir(t, 'confine');
  const root = join(dir, 'root');
  const victim = join(dir, 'victim');
  mkdirSync(root);
  mkdirSync(victim);
  writeFileSync(join(victim, 'keep'), 'keep\n');
  return { root, victim };
}

t.test('writes and directories never go through a planted symlink', async (t) => {
  const { root, victim } = setup(t);
  symlinkSync(victim, join(root, 'pods'));
  await t.rejects(mkdirIn(root, join(root, 'pods', 'a')), ConfinementError, 'mkdir below a symlinked directory');
  await t.rejects(
    writeFileIn(root, join(root, 'pods', 'a.txt'), 'x'),
    ConfinementError,
    'write below a symlinked directory',
  );
  t.notOk(existsSync(join(victim, 'a')) || existsSync(join(victim, 'a.txt')), 'nothing written in the victim');
});

t.test('a symlink at the place of the file is not followed', async (t) => {
  const { root, victim } = setup(t);
  symlinkSync(join(victim, 'keep'), join(root, 'state.json'));
  await t.rejects(writeFileIn(root, join(root, 'state.json'), 'overwritten'), ConfinementError);
  await t.rejects(readFileIn(root, join(root, 'state.json')), ConfinementError, 'nor read through');
  t.equal(readFileSync(join(victim, 'keep'), 'utf8'), 'keep\n', 'the target is untouched');
});

t.test('removal deletes a planted symlink, never what it points at', async (t) => {
  const { root, victim } = setup(t);
  mkdirSync(join(root, 'pods'));
  symlinkSync(victim, join(root, 'pods', 'link'));
  await removeIn(root, join(root, 'pods'));
  t.notOk(existsSync(join(root, 'pods')), 'the directory is gone');
  t.ok(existsSync(join(victim, 'keep')), 'the victim is intact');
  symlinkSync(victim, join(root, 'etc'));
  await t.rejects(removeIn(root, join(root, 'etc', 'keep')), ConfinementError, 'a path through a symlink is refused');
  t.ok(existsSync(join(victim, 'keep')));
  await t.rejects(removeIn(root, join(root, '..', 'victim')), ConfinementError, 'a path outside is refused');
  t.ok(existsSync(join(victim, 'keep')));
});

t.test('a symlinked root is refused', async (t) => {
  const { root, victim } = setup(t);
  const link = join(root, 'lab');
  symlinkSync(victim, link);
  await t.rejects(writeFileIn(link, join(link, 'state.json'), 'x'), ConfinementError);
  t.notOk(existsSync(join(victim, 'state.json')));
});

t.test("the lab's own links, renames and files work inside the root", async (t) => {
  const { root } = setup(t);
  await writeFileIn(root, join(root, 'a', 'b', 'c.txt'), 'hello', 0o600);
  t.equal(readFileSync(join(root, 'a', 'b', 'c.txt'), 'utf8'), 'hello');
  t.equal(lstatSync(join(root, 'a', 'b', 'c.txt')).mode & 0o777, 0o600);
  await writeFileIn(root, join(root, 'a', 'b', 'c.txt'), 'again');
  t.equal(await readFileIn(root, join(root, 'a', 'b', 'c.txt')), 'again', 'replaced');
  t.equal(await readFileIn(root, join(root, 'missing')), undefined);
  await symlinkIn(root, join(root, 'a', 'modules'), '/usr/lib');
  await symlinkIn(root, join(root, 'a', 'modules'), '/usr/lib');
  t.ok(lstatSync(join(root, 'a', 'modules')).isSymbolicLink(), 'a link the lab makes may point anywhere');
  await renameIn(root, join(root, 'a', 'b', 'c.txt'), join(root, 'a', 'd.txt'));
  t.ok(existsSync(join(root, 'a', 'd.txt')));
});
