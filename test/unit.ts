// `npm run test:unit`: every test file that needs neither root nor the lab's Debian packages. The set is
// "all test files but those test/needs.ts lists", so a new test is a unit test unless it says otherwise.
//
// Each file runs as its own Node process (a tap test file is a program that prints TAP and exits 1 on a
// failure), twice as many at once as there are cores. tap's own runner, which `npm test` uses, also loads
// its process-info hooks into every test process and, through NODE_OPTIONS, into every Node process a
// test starts, to map coverage to the files that ran: about half a second of CPU per process, a third of
// the whole unit set. No coverage is measured here, so the files run without them.
//
//   npm run test:unit                         # every unit test file
//   npm run test:unit -- test/cli/*.test.ts   # some of them (any test files, by path)

import { spawn } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';
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

/** How one file ended. */
interface FileResult {
  readonly file: string;
  readonly passed: boolean;
  readonly total: number;
  readonly failed: number;
  readonly seconds: number;
  readonly output: string;
}

/** tap's last line of counts, `# { total: 35, pass: 34, fail: 1 }`; zeros when the file died before it. */
function counts(output: string): { total: number; fail: number } {
  const line = [...output.matchAll(/^# \{ total: (\d+)(?:, pass: \d+)?(?:, fail: (\d+))?/gm)].at(-1);
  return { total: Number(line?.[1] ?? 0), fail: Number(line?.[2] ?? 0) };
}

/** Runs one test file to its end, or kills it `timeoutSeconds` after tap's own timeout should have. */
function runFile(file: string, timeoutSeconds: number): Promise<FileResult> {
  const started = performance.now();
  // Prober's own processes are the binary the build wrote (test/helpers/prober.ts): it starts in a third
  // of the CPU time of the sources.
  const env = { ...process.env, PROBER_TEST_ENTRY: 'binary', TAP_TIMEOUT: String(timeoutSeconds) };
  const child = spawn(process.execPath, [file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 30) * 1000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      const { total, fail } = counts(output);
      const ended = signal ? `killed by ${signal}` : `exit ${code}`;
      resolve({
        file,
        passed: code === 0 && total > 0,
        total,
        failed: fail,
        seconds: (performance.now() - started) / 1000,
        output: code === 0 ? output : `${output}\n# ${file}: ${ended}\n`,
      });
    });
  });
}

/** Runs `files`, `jobs` at a time, printing a line as each ends; resolves with every result in order. */
async function runAll(files: readonly string[], jobs: number, timeoutSeconds: number): Promise<FileResult[]> {
  const results: FileResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as string;
      const result = await runFile(file, timeoutSeconds);
      results.push(result);
      const mark = result.passed ? 'ok  ' : 'FAIL';
      process.stdout.write(`${mark} ${file} (${result.total} assertions, ${result.seconds.toFixed(1)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  return results.sort((a, b) => a.file.localeCompare(b.file));
}

if (process.argv[1] === import.meta.filename) {
  const asked = process.argv.slice(2);
  const files = asked.length > 0 ? asked : unitTestFiles();
  const config = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { tap?: { timeout?: number } };
  const started = performance.now();
  // Unit tests also wait on sockets, timers and child processes: twice as many files as cores (at least 4).
  const results = await runAll(files, Math.max(4, 2 * availableParallelism()), config.tap?.timeout ?? 120);
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
