// Every test file is classified by its name: one that uses a root helper or spawns a lab program is named as a
// system test, `*.system.test.ts` (so `npm run test:unit` leaves it out), and every system test still shows why.

import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';
import { isSystemTest, SYSTEM_COMMANDS, SYSTEM_HELPERS, SYSTEM_TEST_SUFFIX } from '../needs.ts';
import { unitTestFiles } from '../unit.ts';

/** What in a test file needs root or a lab program: `helper from module` and `'command'` entries. */
function systemNeeds(file: string, text: string): string[] {
  const needs: string[] = [];
  for (const [, names = '', from = ''] of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const module = relative(ROOT, join(ROOT, dirname(file), from));
    const imported = names.split(',').map(
      (name) =>
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0],
    );
    for (const name of imported) {
      if (name && SYSTEM_HELPERS[module]?.includes(name)) needs.push(`${name} from ${module}`);
    }
  }
  for (const [, from = ''] of text.matchAll(/import\s+\*\s+as\s+\w+\s+from\s+'([^']+)'/g)) {
    const module = relative(ROOT, join(ROOT, dirname(file), from));
    if (module in SYSTEM_HELPERS) needs.push(`everything from ${module}`);
  }
  for (const command of SYSTEM_COMMANDS) {
    // Spawned: the first argument of a spawn-like call, or the first word of an argv array (a container
    // named webdis in a manifest, or a path below /usr/local/apache2, is not a program run).
    const quoted = `['"\`]${command.replace('-', '\\-')}['"\`]`;
    if (
      new RegExp(`(?:\\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|sh)\\(\\s*|\\[\\s*)${quoted}`).test(text)
    ) {
      needs.push(`'${command}'`);
    }
  }
  return needs;
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

t.test('no unit test file uses a root helper or a lab program', async (t) => {
  for (const file of unitTestFiles()) {
    t.same(
      systemNeeds(file, read(file)),
      [],
      `${file} is a unit test (name it *${SYSTEM_TEST_SUFFIX} if it needs root or a lab program)`,
    );
  }
});

t.test('every system test shows what it needs', async (t) => {
  const system = globSync(`test/**/*${SYSTEM_TEST_SUFFIX}`, { cwd: ROOT });
  t.ok(system.length > 0, 'there are system tests');
  for (const file of system) {
    t.not(systemNeeds(file, read(file)), [], `${file} uses a root helper or a lab program`);
  }
});

t.test('the name marks a system test, and every other test file is a unit test', async (t) => {
  t.ok(isSystemTest('test/lab/udp.system.test.ts'));
  t.notOk(isSystemTest('test/probe/udp.test.ts'));
  t.notOk(isSystemTest('test/probe/system.test.ts'), 'a file named after the word is not marked by it');
  const all = globSync('test/**/*.test.ts', { cwd: ROOT }).sort();
  t.same(
    unitTestFiles(),
    all.filter((file) => !file.endsWith(SYSTEM_TEST_SUFFIX)),
    'the unit set is every test file not named *.system.test.ts',
  );
});

t.test('the check sees each kind of need', async (t) => {
  const file = 'test/probe/new.test.ts';
  // Quotes come from `q` so that this file's own samples do not read as its imports and spawns.
  const q = "'";
  t.same(systemNeeds(file, `import { netnsPair, type Teardown } from ${q}../helpers/netns.ts${q};`), [
    'netnsPair from test/helpers/netns.ts',
  ]);
  t.same(systemNeeds(file, `import { sh, type Teardown } from ${q}../helpers/netns.ts${q};`), [], 'sh needs no root');
  t.same(systemNeeds(file, `import { startRedis as redis } from ${q}../helpers/redis.ts${q};`), [
    'startRedis from test/helpers/redis.ts',
  ]);
  t.same(systemNeeds(file, `import * as fake from ${q}../cluster/fake/lab.ts${q};`), [
    'everything from test/cluster/fake/lab.ts',
  ]);
  t.same(systemNeeds(file, `spawn(${q}redis-server${q}, [${q}--port${q}, ${q}0${q}]);`), ["'redis-server'"]);
  t.same(systemNeeds(file, `startProcess([${q}unshare${q}, ${q}--mount${q}]);`), ["'unshare'"]);
  t.same(systemNeeds(file, `const names = [${q}httpd${q}, ${q}webdis${q}];`), [], 'a container name is not a program');
  t.same(systemNeeds(file, `const mountPath = ${q}/usr/local/apache2/conf${q};`), [], 'a path is not a program');
});
