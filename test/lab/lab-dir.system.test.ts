// $PROBER_LAB_DIR is read from the command's own environment (its I/O context), not once when the lab's
// modules load: two commands in one process, each with its own lab directory, each use their own.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { labName } from '../helpers/lab.ts';
import { tempDir } from '../helpers/temp.ts';

t.test('lab down removes the lab directory below the $PROBER_LAB_DIR its command was given', async (t) => {
  const name = labName();
  const roots = [tempDir(t, 'lab-dir-a'), tempDir(t, 'lab-dir-b')];
  for (const root of roots) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'left-behind'), 'x');
  }
  for (const [index, root] of roots.entries()) {
    const down = await cli(['lab', 'down', '--name', name], { env: { ...process.env, PROBER_LAB_DIR: root } });
    t.equal(down.status, 0, `down ${index}: ${down.stderr}`);
    t.equal(down.stderr, `lab ${name}: nothing to remove\n`, `down ${index} says so`);
    t.notOk(existsSync(join(root, name)), `down ${index} removed ${name} below its own $PROBER_LAB_DIR`);
  }
});
