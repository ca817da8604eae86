// Starts lab programs inside pod namespaces as detached processes with log files, and stops them.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProgramSpec } from './programs/program.ts';

/** A started program, as recorded in the lab's state. */
export interface RunningProgram {
  readonly pod: string;
  readonly netns: string;
  readonly container: string;
  readonly kind: ProgramSpec['kind'];
  readonly pid: number;
  readonly log: string;
  readonly argv: readonly string[];
}

/** Writes a program's directories, files and links; readable by the unprivileged workers some programs fork. */
async function prepareFiles(spec: ProgramSpec): Promise<void> {
  for (const dir of spec.dirs) {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
  }
  for (const file of spec.files) {
    await mkdir(dirname(file.path), { recursive: true, mode: 0o755 });
    await writeFile(file.path, file.content, { mode: 0o644 });
  }
  for (const [link, target] of spec.links) {
    await rm(link, { force: true });
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link);
  }
}

/**
 * Starts a program in `netns`, detached from prober so it outlives `lab up`. Output goes to a log
 * file, not a pipe: some programs reopen /proc/self/fd/2, which a pipe (a socket in Node) refuses.
 */
export async function startProgram(spec: ProgramSpec, netns: string, logDir: string): Promise<RunningProgram> {
  await prepareFiles(spec);
  await mkdir(logDir, { recursive: true });
  const log = join(logDir, `${spec.pod}.${spec.container}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', netns, ...spec.argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? 0));
      child.once('error', (error) => reject(new Error(`unable to start ${spec.argv[0]} for ${spec.pod}/${spec.container}`, { cause: error })));
    });
    child.unref();
    return { pod: spec.pod, netns, container: spec.container, kind: spec.kind, pid, log, argv: spec.argv };
  } finally {
    closeSync(fd);
  }
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops processes: SIGTERM to each process group, then SIGKILL whatever is left after `graceMs`. */
export async function stopProcesses(pids: readonly number[], graceMs = 3000): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, name);
      } catch {
        // Gone already, or not a group leader.
      }
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
}

/** The last lines of a log, for error messages about a program that did not come up. */
export async function tail(log: string, lines = 5): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join(' | ');
}
