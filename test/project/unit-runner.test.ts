// `npm run test:unit` (test/unit.ts) runs many test files in one worker process. It must still tell files
// apart: each failure is reported against its own file with its own output, a file's teardowns run before
// the next file loads, and a file that throws while loading, ends its worker or hangs fails alone while
// the files after it still run. Planted test files, one worker, a 3 s timeout.

import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir(t, 'unit-runner');
// The planted files import tap from the repository's node_modules, as test files do.
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
const log = join(dir, 'log');
const planted: Record<string, string> = {
  'a-pass.test.mjs': `
    import t from 'tap';
    import { appendFileSync } from 'node:fs';
    t.teardown(() => appendFileSync(${JSON.stringify(log)}, 'a torn down\\n'));
    t.test('a-first', async (t) => { t.pass('a-one'); t.pass('a-two'); });`,
  'b-fails.test.mjs': `
    import t from 'tap';
    import { readFileSync } from 'node:fs';
    const before = readFileSync(${JSON.stringify(log)}, 'utf8');
    t.test('b-checks', async (t) => {
      t.equal(before, 'a torn down\\n', 'a was torn down before b loaded');
      t.equal(1, 2, 'b-fails-here');
    });`,
  'c-throws.test.mjs': `
    import t from 'tap';
    t.test('c-queued', async (t) => t.pass('c-ran'));
    throw new Error('c-load-error');`,
  'd-exits.test.mjs': `
    import t from 'tap';
    t.test('d-exits', async () => process.exit(7));`,
  'e-hangs.test.mjs': `
    import t from 'tap';
    t.test('e-hangs', () => new Promise(() => setInterval(() => {}, 1000)));`,
  'f-pass.test.mjs': `
    import t from 'tap';
    t.test('f-last', async (t) => t.pass('f-one'));`,
};
for (const [name, text] of Object.entries(planted)) writeFileSync(join(dir, name), `${text.trim()}\n`);
writeFileSync(log, '');

const run = startProcess(
  [process.execPath, join(ROOT, 'test', 'unit.ts'), ...Object.keys(planted).map((name) => join(dir, name))],
  { cwd: ROOT, env: { ...process.env, PROBER_UNIT_JOBS: '1', PROBER_UNIT_TIMEOUT: '3' } },
);
const { code, stdout } = await run.exited;
const file = (name: string) => join(dir, name);
/** The output the runner shows for a failed file: from its `# ---- FILE` header to the next one. */
const shown = (name: string) => stdout.split(`# ---- ${file(name)}\n`)[1]?.split('\n# ---- ')[0] ?? '';

t.test('a failed file fails the run, and the summary counts files and assertions', async (t) => {
  t.equal(code, 1);
  t.match(stdout, /\n2 of 6 files passed, \d+ assertions; failed: /);
  t.match(stdout, new RegExp(`^ok   ${file('a-pass.test.mjs')} \\(2 assertions, `, 'm'));
  t.match(
    stdout,
    new RegExp(`^ok   ${file('f-pass.test.mjs')} \\(1 assertions, `, 'm'),
    'files after a crash and a hang still run',
  );
  for (const name of ['b-fails', 'c-throws', 'd-exits', 'e-hangs']) {
    t.match(stdout, new RegExp(`^FAIL ${file(`${name}.test.mjs`)} `, 'm'), `${name} is reported as failed`);
  }
});

t.test("each failure shows that file's own output and why it failed", async (t) => {
  t.match(shown('b-fails.test.mjs'), /not ok 2 - b-fails-here/);
  t.match(shown('b-fails.test.mjs'), /^ +ok 1 - a was torn down before b loaded/m, "a's teardown ran before b loaded");
  t.notMatch(shown('b-fails.test.mjs'), /a-first|f-last/, "no other file's tests");
  t.match(shown('c-throws.test.mjs'), /threw while loading: Error: c-load-error/);
  t.match(shown('d-exits.test.mjs'), /its worker ended \(exit \d+\)/);
  t.match(shown('e-hangs.test.mjs'), /still running after 3 s/);
});
