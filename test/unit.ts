// `npm run test:unit`: every test file that needs neither root nor the lab's Debian packages, run by tap.
// The set is "all test files but those test/needs.ts lists", so a new test is a unit test unless it says otherwise.

import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_TESTS } from './needs.ts';

const root = join(import.meta.dirname, '..');

/** The unit test files, relative to the repository root, sorted. */
export function unitTestFiles(): string[] {
  return globSync('test/**/*.test.ts', { cwd: root })
    .filter((file) => !(file in SYSTEM_TESTS))
    .sort();
}

if (process.argv[1] === import.meta.filename) {
  // Extra arguments go to tap (e.g. `npm run test:unit -- --reporter=terse`). Unit tests spend much of
  // their time waiting on sockets, timers and child processes, so twice as many files as cores run at
  // once (at least 4): on two cores that is about a fifth faster than tap's one file per core.
  const tap = join(root, 'node_modules', '.bin', 'tap');
  const jobs = `--jobs=${Math.max(4, 2 * availableParallelism())}`;
  // Prober's own processes are the binary the build wrote (test/helpers/prober.ts): no coverage is
  // measured here, and the binary starts in a third of the CPU time of the sources.
  const env = { ...process.env, PROBER_TEST_ENTRY: 'binary' };
  const run = spawnSync(tap, [jobs, ...process.argv.slice(2), ...unitTestFiles()], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  process.exitCode = run.status ?? 1;
}
