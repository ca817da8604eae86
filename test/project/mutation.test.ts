// Every mutation area can start: Stryker copies the repository into a sandbox without dist/, so a test file
// in an area's set that needs the built binary or a browser fails the dry run, and then no mutant of the
// area runs at all. This reads stryker.config.mjs and checks each area's test files, and what they import
// from test/, without running Stryker (a dry run of even the smallest area takes minutes).

import { existsSync, globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
// @ts-expect-error stryker.config.mjs is plain JavaScript; its JSDoc types are restated below.
import * as config from '../../stryker.config.mjs';
import { ROOT } from '../helpers/prober.ts';

const { areas, areaGroups, areaTestFiles, floors, leftOut } = config as {
  areas: Record<string, { mutate: string[]; tests: string[] }>;
  areaGroups: Record<string, string[]>;
  areaTestFiles(name: string): string[];
  floors: Record<string, number>;
  leftOut: Record<string, string>;
};

/** Exports of test helpers that need the built binary or a browser. */
const BUILD_OR_BROWSER: Readonly<Record<string, readonly string[] | 'all'>> = {
  'test/helpers/prober.ts': ['BINARY', 'requireBinary', 'startBinary'],
  'test/helpers/chromium.ts': 'all',
};

/** What in `text` (a test file or a file it imports from test/) needs the build or a browser. */
export function buildNeeds(file: string, text: string): string[] {
  const needs: string[] = [];
  if (/['"`/]dist\//.test(text) || /['"`]dist['"`]/.test(text)) needs.push('a path in dist/');
  if (/\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*['"`]chromium['"`]/.test(text)) needs.push("'chromium'");
  for (const [, names = '', from = ''] of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const wanted = BUILD_OR_BROWSER[relative(ROOT, join(ROOT, dirname(file), from))];
    for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0] ?? '')) {
      if (name && !name.startsWith('type ') && (wanted === 'all' || wanted?.includes(name))) {
        needs.push(`${name} from ${from}`);
      }
    }
  }
  return needs;
}

/** `file` and every file under test/ it imports, directly or not. */
function testImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(join(ROOT, file), 'utf8');
  for (const [, from = ''] of text.matchAll(/\bfrom\s+'(\.[^']+)'/g)) {
    const target = relative(ROOT, join(ROOT, dirname(file), from));
    if (target.startsWith('test/')) testImports(target, seen);
  }
  return seen;
}

/** What `file` needs of the build or a browser, through itself or its imports from test/. */
function needsOf(file: string): string[] {
  return [...testImports(file)].flatMap((f) =>
    buildNeeds(f, readFileSync(join(ROOT, f), 'utf8')).map((need) => (f === file ? need : `${need} (in ${f})`)),
  );
}

t.test('each area has test files, and none of them needs the build or a browser', async (t) => {
  for (const name of Object.keys(areas)) {
    const files: string[] = areaTestFiles(name);
    t.ok(files.length > 0, `area ${name} has test files`);
    for (const file of files) {
      t.same(needsOf(file), [], `${file} (area ${name}) runs in the sandbox (else list it in leftOut)`);
    }
  }
});

t.test('every test file an area leaves out exists, is in its globs and needs the build or a browser', async (t) => {
  const inGlobs = new Set(Object.values(areas).flatMap((area) => globSync(area.tests, { cwd: ROOT })));
  for (const file of Object.keys(leftOut)) {
    if (!t.ok(existsSync(join(ROOT, file)), `${file} exists`)) continue;
    t.ok(inGlobs.has(file), `${file} is in some area's globs`);
    t.not(needsOf(file), [], `${file} needs the build or a browser`);
  }
});

t.test('the check sees each kind of need', async (t) => {
  const file = 'test/report/new.test.ts';
  const q = "'";
  t.same(buildNeeds(file, `import { ROOT, requireBinary } from ${q}../helpers/prober.ts${q};`), [
    'requireBinary from ../helpers/prober.ts',
  ]);
  t.same(buildNeeds(file, `import { dumpDom } from ${q}../helpers/chromium.ts${q};`), [
    'dumpDom from ../helpers/chromium.ts',
  ]);
  t.same(buildNeeds(file, `const bin = join(ROOT, ${q}dist${q}, ${q}prober${q});`), ['a path in dist/']);
  t.same(buildNeeds(file, `spawnSync(${q}chromium${q}, [])`), ["'chromium'"]);
  t.same(buildNeeds(file, `import { ROOT, startProcess } from ${q}../helpers/prober.ts${q};`), []);
});

t.test('the policy parts mutate every file of src/policy/ once, and MUTATE_AREA=policy runs them all', async (t) => {
  const parts = Object.keys(areas).filter((name) => name.startsWith('policy-'));
  t.same([...(areaGroups.policy ?? [])].sort(), parts.sort(), 'policy names every policy-* area');
  const owners = new Map<string, string[]>();
  for (const name of parts) {
    for (const file of globSync(areas[name]?.mutate ?? [], { cwd: ROOT })) {
      owners.set(file, [...(owners.get(file) ?? []), name]);
    }
  }
  const files = globSync('src/policy/**/*.ts', { cwd: ROOT }).sort();
  t.same(
    files.filter((file) => owners.get(file)?.length !== 1),
    [],
    'each file of src/policy/ is in exactly one part',
  );
  t.same(
    [...owners.keys()].filter((file) => !files.includes(file)),
    [],
    'no part mutates a file outside src/policy/',
  );
});

t.test('every area has a floor, and every group names areas', async (t) => {
  for (const name of Object.keys(areas)) t.type(floors[name], 'number', `area ${name} has a floor`);
  for (const [group, names] of Object.entries(areaGroups)) {
    t.ok(names.length > 0, `${group} names areas`);
    for (const name of names) t.ok(Object.hasOwn(areas, name), `${group}: ${name} is an area`);
  }
});
