// `npm run test:unit`: every test file that needs neither root nor the lab's Debian packages. The set is
// "all test files but the system tests" (test/needs.ts: `isSystemTest`, a name ending in .system.test.ts),
// so a new test is a unit test unless its name says otherwise.
//
// The files run in a few worker processes (test/unit-worker.ts), twice as many as there are cores, each
// running the files it is handed one after another. A worker loads tap and the sources once, where a
// process per file loaded them again for every file: the same files and assertions take about half the
// CPU. Files are handed out longest first, by how long each took last time, so no worker is left with a
// long file at the end. A file that fails, hangs past the timeout or kills its worker is reported with its
// own output; the files after it go on in a fresh worker. No coverage is measured here (`npm test` does).
//
//   npm run test:unit                         # every unit test file
//   npm run test:unit -- test/cli/*.test.ts   # some of them (any test files, by path)
//
// PROBER_UNIT_JOBS sets how many workers run (1: every file in turn, in one process), PROBER_UNIT_TIMEOUT
// how many seconds a file may run (package.json's tap.timeout otherwise).

import { type ChildProcess, spawn } from 'node:child_process';
import { globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { isSystemTest } from './needs.ts';

const root = join(import.meta.dirname, '..');
const CACHE = join(root, 'node_modules', '.cache', 'prober-unit');
/** How long each file took in the last run that ran it: the order of the next run. */
const TIMES = join(CACHE, 'times.json');

/** The unit test files, relative to the repository root, sorted. */
export function unitTestFiles(): string[] {
  return globSync('test/**/*.test.ts', { cwd: root })
    .filter((file) => !isSystemTest(file))
    .sort();
}

/** What a worker says when a file has ended (tap's root sends messages of its own on the same channel). */
export interface FileDone {
  readonly kind: 'unit-file-done';
  readonly file: string;
  readonly total: number;
  readonly failed: number;
  readonly seconds: number;
  /** Why the file failed outside any test: it threw while loading, or a teardown threw. */
  readonly error?: string;
}

/** The TAP comment a worker writes before and after each file's output: `# unit-file: start FILE`. */
export const MARK = '# unit-file: ';

/** How one file ended. */
interface FileResult extends FileDone {
  readonly passed: boolean;
  /** What to show when it failed: its part of the worker's TAP, and why it ended if it did not end well. */
  readonly output: string;
}

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** `files`, longest first by the last run's times; a file with no time yet counts as the longest. */
function longestFirst(files: readonly string[], times: Record<string, number>): string[] {
  const time = (file: string) => times[file] ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => time(b) - time(a) || a.localeCompare(b));
}

/** The part of a worker's output that belongs to `file`: from its start marker to its end marker (or the end). */
function section(output: string, file: string): string {
  const start = output.indexOf(`${MARK}start ${file}\n`);
  if (start < 0) return '';
  const end = output.indexOf(`${MARK}end ${file}\n`, start);
  return output.slice(start, end < 0 ? undefined : end);
}

/** Hands `files` to `jobs` workers and resolves with every file's result, printing a line as each ends. */
function runAll(files: readonly string[], jobs: number, timeoutSeconds: number): Promise<FileResult[]> {
  const queue = [...files];
  const results: FileResult[] = [];
  const report = (result: FileResult) => {
    results.push(result);
    const mark = result.passed ? 'ok  ' : 'FAIL';
    process.stdout.write(`${mark} ${result.file} (${result.total} assertions, ${result.seconds.toFixed(1)} s)\n`);
  };
  return new Promise((resolve) => {
    let running = 0;
    const startWorker = () => {
      running++;
      let output = '';
      let errors = '';
      let failedHere = false;
      let current: { file: string; started: number; timer: NodeJS.Timeout } | undefined;
      const worker: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, 'unit-worker.ts')], {
        cwd: root,
        // The worker's root test never times out: the runner times each file. Prober's own processes are
        // the binary the build wrote (test/helpers/prober.ts). Node keeps what it compiles in the cache.
        env: {
          ...process.env,
          TAP_TIMEOUT: '0',
          PROBER_TEST_ENTRY: 'binary',
          NODE_COMPILE_CACHE: join(CACHE, 'compiled'),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      // A send to a worker that has just died fails; its 'close' reports the file it was running.
      worker.on('error', (error) => (errors += `\n# ${error.message}\n`));
      worker.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      worker.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
      const next = () => {
        const file = queue.shift();
        if (file === undefined) {
          current = undefined;
          worker.send({ end: true });
          return;
        }
        const timer = setTimeout(() => worker.kill('SIGKILL'), timeoutSeconds * 1000);
        current = { file, started: performance.now(), timer };
        worker.send({ file });
      };
      worker.on('message', (done: FileDone) => {
        if (done?.kind !== 'unit-file-done') return;
        if (current) clearTimeout(current.timer);
        const passed = done.failed === 0 && done.total > 0;
        const why = done.error ?? (done.total === 0 ? `${done.file} made no assertion` : '');
        failedHere ||= !passed;
        report({ ...done, passed, output: passed ? '' : `${section(output, done.file)}${why}\n` });
        next();
      });
      worker.on('close', (code, signal) => {
        running--;
        if (current) {
          // The file never answered: it hung past the timeout, or it ended its worker.
          clearTimeout(current.timer);
          const ended =
            signal === 'SIGKILL'
              ? `still running after ${timeoutSeconds} s`
              : `its worker ended (${signal ?? `exit ${code}`})`;
          report({
            kind: 'unit-file-done',
            file: current.file,
            total: 0,
            failed: 1,
            seconds: (performance.now() - current.started) / 1000,
            passed: false,
            output: `${section(output, current.file)}\n${errors}\n# ${current.file}: ${ended}\n`,
          });
          if (queue.length > 0) startWorker();
        } else if (code !== 0 && !failedHere) {
          // Every file it ran passed, yet the worker failed: something failed outside any file's tests.
          report({
            kind: 'unit-file-done',
            file: 'a unit test worker',
            total: 0,
            failed: 1,
            seconds: 0,
            passed: false,
            output: `${output}\n${errors}`,
          });
        }
        if (running === 0) resolve(results);
      });
      next();
    };
    for (let i = 0; i < Math.min(jobs, files.length); i++) startWorker();
    if (files.length === 0) resolve(results);
  });
}

if (process.argv[1] === import.meta.filename) {
  const asked = process.argv.slice(2);
  const times = readTimes();
  const files = longestFirst(asked.length > 0 ? asked : unitTestFiles(), times);
  const config = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { tap?: { timeout?: number } };
  const started = performance.now();
  // Unit tests also wait on sockets, timers and child processes: twice as many workers as cores (at least 4).
  const jobs = Number(process.env.PROBER_UNIT_JOBS) || Math.max(4, 2 * availableParallelism());
  const timeout = Number(process.env.PROBER_UNIT_TIMEOUT) || config.tap?.timeout || 120;
  const results = await runAll(files, jobs, timeout);
  results.sort((a, b) => a.file.localeCompare(b.file));
  const unitSet = new Set(unitTestFiles());
  for (const { file, passed, seconds } of results)
    if (passed && unitSet.has(file)) times[file] = Number(seconds.toFixed(2));
  try {
    mkdirSync(dirname(TIMES), { recursive: true });
    writeFileSync(TIMES, `${JSON.stringify(times, null, 1)}\n`);
  } catch (error) {
    // A checkout this user cannot write: the next run hands files out in name order instead.
    process.stdout.write(`# could not keep the timings in ${TIMES}: ${(error as Error).message}\n`);
  }
  const failed = results.filter((r) => !r.passed);
  for (const result of failed) process.stdout.write(`\n# ---- ${result.file}\n${result.output}`);
  const assertions = results.reduce((sum, r) => sum + r.total, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\n${results.length - failed.length} of ${results.length} files passed, ${assertions} assertions` +
      `${failed.length > 0 ? `; failed: ${failed.map((r) => r.file).join(', ')}` : ''} (${seconds} s)\n`,
  );
  process.exitCode = failed.length > 0 ? 1 : 0;
}
