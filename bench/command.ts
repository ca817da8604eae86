// Measures a whole prober command as a user runs it: the built binary, output to /dev/null, wall time and peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root: benchmarks run from there. */
export const ROOT = join(import.meta.dirname, '..');
/** The built binary; `npm run build` makes it. */
export const BINARY = join(ROOT, 'dist', 'prober');

/** What one run of a command cost. */
export interface CommandCost {
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** User plus system CPU time of the command: less sensitive than wall time to a machine shared with others. */
  readonly cpuMs: number;
  /** Peak resident set of the command's process, as the kernel counted it. */
  readonly peakRssMB: number;
  /** The command's last line on stderr (its error, when it failed). */
  readonly lastStderr: string;
}

/**
 * Runs `dist/prober ARGS > /dev/null` under GNU time (Debian package `time`), which reads the
 * child's peak RSS from the kernel (wait4 rusage): parsing, computing and writing the output all count.
 * `binary` is another build of prober to run instead (a previous release, for a side-by-side figure).
 */
export function measureCommand(args: readonly string[], cwd: string = ROOT, binary: string = BINARY): CommandCost {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run build\` first`);
  return measureProcess([binary, ...args], cwd);
}

/** Any program measured as {@link measureCommand} measures prober (`node -e 0`, the floor of starting Node). */
export function measureProcess(argv: readonly string[], cwd: string = ROOT): CommandCost {
  const devNull = openSync('/dev/null', 'w');
  try {
    const out = spawnSync('/usr/bin/time', ['-f', 'prober-bench %e %M %U %S', ...argv], {
      cwd,
      stdio: ['ignore', devNull, 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return commandCost(out.stderr, out.status);
  } finally {
    closeSync(devNull);
  }
}

/** What GNU time's line and the command's stderr say about one run. */
function commandCost(stderr: string, status: number | null): CommandCost {
  const lines = stderr.trimEnd().split('\n');
  const timing = /^prober-bench ([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines.at(-1) ?? '');
  if (!timing) throw new Error(`/usr/bin/time gave no measurement (install the "time" package): ${stderr.slice(-300)}`);
  const exited = /Command exited with non-zero status (\d+)/.exec(stderr);
  const own = lines.filter((line) => !line.startsWith('prober-bench ') && !line.startsWith('Command exited'));
  return {
    exitCode: exited ? Number(exited[1]) : status,
    wallMs: Math.round(Number(timing[1]) * 1000),
    cpuMs: Math.round((Number(timing[3]) + Number(timing[4])) * 1000),
    peakRssMB: Math.round(Number(timing[2]) / 1024),
    lastStderr: own.at(-1) ?? '',
  };
}

/**
 * {@link measureCommand} without blocking this process: for a command that talks to a server running
 * here (the fake API server of `bench/live-memory.ts`), which must go on answering while it runs.
 */
export async function measureCommandAsync(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd: string = ROOT,
): Promise<CommandCost> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first`);
  const child = spawn('/usr/bin/time', ['-f', 'prober-bench %e %M %U %S', BINARY, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return commandCost(stderr, status);
}
