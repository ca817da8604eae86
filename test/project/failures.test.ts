// test/failures.ts: what a failed `npm test` prints at its end, read from tap's saved TAP.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { failuresOf } from '../failures.ts';

const FAILING = [
  '# Subtest: outer',
  '    # Subtest: inner',
  '        ok 1 - fine',
  '        not ok 2 - should be equal',
  '          ---',
  '          found: 1',
  '          wanted: 2',
  '          ...',
  '        ',
  '        1..2',
  '    not ok 1 - inner # time=3ms',
  '    ok 2 - other',
  '    not ok 3 - skipped on purpose # SKIP no chromium',
  '    1..3',
  'not ok 1 - outer',
  '1..1',
].join('\n');

t.test('each failing assertion is kept with its diagnostics, and only those', async (t) => {
  const found = failuresOf(FAILING);
  t.equal(found.length, 3, 'the leaf, its parent and the file; not the skipped one');
  t.match(found[0], /not ok 2 - should be equal\n\s+---\n\s+found: 1\n\s+wanted: 2\n\s+\.\.\./);
  t.notMatch(found[0], /1\.\.2/, 'the diagnostics end where the block ends');
  t.equal(found[1], '    not ok 1 - inner # time=3ms');
  t.same(failuresOf('ok 1 - a\nok 2 - b\n1..2\n'), [], 'a passing file has none');
});

t.test('long diagnostics are cut to a few lines', async (t) => {
  const tap = ['not ok 1 - big', '  ---', ...Array.from({ length: 200 }, (_, i) => `  line ${i}`), '1..1'].join('\n');
  const [block] = failuresOf(tap);
  t.ok(block !== undefined && block.split('\n').length <= 25, 'at most the failure and 24 lines under it');
});

t.test('the script names the failing files and prints nothing when none failed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prober-failures-'));
  mkdirSync(join(dir, 'test', 'a'), { recursive: true });
  writeFileSync(join(dir, 'test', 'a', 'good.test.ts.tap'), 'ok 1 - fine\n1..1\n');
  const run = () =>
    spawnSync(process.execPath, [join(import.meta.dirname, '..', 'failures.ts'), dir], { encoding: 'utf8' });
  t.equal(run().stdout, '', 'nothing to say');
  writeFileSync(join(dir, 'test', 'a', 'bad.test.ts.tap'), FAILING);
  const out = run();
  t.equal(out.status, 0);
  t.match(out.stdout, /# failed: .*test\/a\/bad\.test\.ts\n/);
  t.notMatch(out.stdout, /good\.test/);
  t.match(out.stdout, /# 1 test file failed/);
});
