// One process of `npm run test:unit` (test/unit.ts starts a few): it runs the test files the runner sends
// it, one after another, in this one process, so tap, the sources and the helpers load once per worker
// instead of once per file — most of what a small test file cost.
//
// Each file runs as a subtest of the worker's root, named after the file, with tap's public API only: the
// worker starts the subtest, and a module hook (Node's `module.registerHooks`) hands the file that subtest
// when it imports `tap` (test/unit-file-tap.ts). So the file's tests are the subtest's children and its
// teardowns the subtest's, which tap runs when the subtest ends: before the next file loads. No two files
// overlap, and nothing a file started outlives it. The subtest's counts are the file's assertions.
//
// Messages (Node IPC): the runner sends `{ file }` or `{ end: true }`; the worker answers each file with a
// FileDone (tap's root sends messages of its own on the same channel). Around each file the TAP stream
// carries `# unit-file: start FILE` and `# unit-file: end FILE`, so the runner can show a failing file's
// own output.

import { registerHooks } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { type FileDone, MARK } from './unit.ts';

const root = join(import.meta.dirname, '..');
const FILE_TAP = pathToFileURL(join(import.meta.dirname, 'unit-file-tap.ts')).href;
const FILE_TEST = Symbol.for('prober.unit-file-test');
const slot = globalThis as Record<symbol, Test | undefined>;

/** The file now loading (its URL) and its number: the `tap` it imports is that file's subtest. */
let loading: { url: string; n: number } | undefined;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'tap' && loading && context.parentURL === loading.url)
      return { url: `${FILE_TAP}?file=${loading.n}`, shortCircuit: true };
    return next(specifier, context);
  },
});

function message(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

let files = 0;

/** Runs `file` as a subtest of the root: loads it, lets tap run its tests and teardowns; never rejects. */
async function runFile(file: string): Promise<FileDone> {
  const started = performance.now();
  const path = resolve(root, file);
  const failedBefore = t.counts.fail;
  const errors: string[] = [];
  let total = 0;
  // The file is this process's main script while it runs, as if it ran alone: its snapshot file is named
  // after it.
  process.argv[1] = path;
  t.comment(`${MARK.slice(2)}start ${file}`);
  // Unnamed, so that the file's tests have the full names (and snapshot keys) of a run of the file alone.
  await t.test(' ', async (ft) => {
    ft.snapshotFile = join(root, 'tap-snapshots', `${relative(root, path)}.test.cjs`);
    slot[FILE_TEST] = ft;
    loading = { url: pathToFileURL(path).href, n: files++ };
    try {
      await import(loading.url);
    } catch (error) {
      errors.push(`${file} threw while loading: ${message(error)}`);
      ft.fail(`threw while loading: ${(error as Error)?.message ?? error}`);
    } finally {
      loading = undefined;
      slot[FILE_TEST] = undefined;
    }
    ft.teardown(() => {
      total = ft.counts.total;
    });
  });
  t.comment(`${MARK.slice(2)}end ${file}`);
  return {
    kind: 'unit-file-done',
    file,
    total,
    failed: t.counts.fail - failedBefore + errors.length,
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
      t.end();
    }
  });
});
