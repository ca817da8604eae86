// One process of `npm run test:unit` (test/unit.ts starts a few): it runs the test files the runner sends
// it, one after another, in this one process, so tap, the sources and the helpers load once per worker
// instead of once per file — most of what a small test file cost.
//
// A test file is a module that queues its tests on tap's root `t` while it loads. The worker stands in
// for the root's `test`, `teardown` and `after` while a file loads and runs, so it knows the file's tests
// and its teardowns: it waits for the tests, then runs the teardowns (last first, as tap does at the end
// of a process), and only then loads the next file. So no two files ever overlap, and nothing a file
// started outlives it. The root's counts before and after give the file's assertions and failures.
//
// Messages (Node IPC): the runner sends `{ file }` or `{ end: true }`; the worker answers each file with
// a FileDone (tap's root sends messages of its own on the same channel). Around each file the TAP stream carries `# unit-file: start FILE` and `# unit-file: end FILE`,
// so the runner can show a failing file's own output.

import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { type FileDone, MARK } from './unit.ts';

const root = join(import.meta.dirname, '..');
type Fn = (...args: unknown[]) => unknown;
const rootT = t as unknown as Record<'test' | 'teardown' | 'after', Fn> & {
  counts: { total: number; fail: number };
  snapshotFile: string;
  comment: (message: string) => void;
  end: () => void;
};
const original = { test: rootT.test, teardown: rootT.teardown, after: rootT.after };

function count(): { total: number; fail: number } {
  return { total: rootT.counts.total, fail: rootT.counts.fail };
}

function message(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Loads `file`, waits for every test it queued, runs its teardowns; never rejects. */
async function runFile(file: string): Promise<FileDone> {
  const started = performance.now();
  const before = count();
  const tests: unknown[] = [];
  const teardowns: Fn[] = [];
  rootT.test = (...args: unknown[]) => {
    const done = original.test.apply(t, args);
    tests.push(done);
    return done;
  };
  rootT.teardown = rootT.after = (fn: unknown) => {
    teardowns.push(fn as Fn);
  };
  // The file is this process's main script while it runs, as if it ran alone: tap names tests (and so
  // snapshot entries) after it, and its snapshot file too.
  process.argv[1] = resolve(root, file);
  rootT.snapshotFile = join(root, 'tap-snapshots', `${relative(root, resolve(root, file))}.test.cjs`);
  rootT.comment(`${MARK.slice(2)}start ${file}`);
  const errors: string[] = [];
  try {
    await import(pathToFileURL(resolve(root, file)).href);
  } catch (error) {
    errors.push(`${file} threw while loading: ${message(error)}`);
  }
  // A test may queue more tests on the root while it runs: wait for those too.
  for (let i = 0; i < tests.length; i++) await tests[i];
  for (let fn = teardowns.pop(); fn; fn = teardowns.pop()) {
    try {
      await fn.call(t);
    } catch (error) {
      errors.push(`a teardown of ${file} threw: ${message(error)}`);
    }
  }
  Object.assign(rootT, original);
  rootT.comment(`${MARK.slice(2)}end ${file}`);
  const after = count();
  return {
    kind: 'unit-file-done',
    file,
    total: after.total - before.total,
    failed: after.fail - before.fail + errors.length,
    seconds: (performance.now() - started) / 1000,
    ...(errors.length > 0 ? { error: errors.join('\n') } : {}),
  };
}

// Files run strictly one at a time: a message that arrives while one runs waits its turn.
let queue: Promise<unknown> = Promise.resolve();
process.on('message', (asked: { file?: string; end?: boolean }) => {
  queue = queue.then(async () => {
    if (asked.file) {
      process.send?.(await runFile(asked.file));
      // tap's root unrefs the IPC channel when it starts (a test process must not wait on its runner);
      // a worker waits for its next file on that channel.
      process.channel?.ref();
    } else if (asked.end) {
      process.disconnect();
      rootT.end();
    }
  });
});
