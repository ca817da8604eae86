// Starts lab programs inside pod namespaces as detached processes with log files, and stops them.

import { spawn } from 'node:child_process';
import { chmod, lchown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdirIn, openLogIn, symlinkIn, writeFileIn } from './confine.ts';
import { startTimeOf } from './processes.ts';
import type { ProgramSpec } from './programs/program.ts';
import { confinedArgv, LAB_GID, LAB_UID } from './sandbox.ts';

/** A started program, as recorded in the lab's state. */
export interface RunningProgram {
  readonly pod: string;
  readonly netns: string;
  readonly container: string;
  readonly kind: ProgramSpec['kind'];
  readonly pid: number;
  /** When the process started (/proc/<pid>/stat): `lab down` signals the PID only while it still matches. */
  readonly startTime?: string;
  readonly log: string;
  readonly argv: readonly string[];
}

/**
 * Writes a program's directories, files and links, all inside `root` (the lab's run directory) and
 * never through a symlink; readable by the unprivileged workers some programs fork. A confined
 * program owns the directories made for it; the files the lab writes (its config) stay root's.
 */
async function prepareFiles(spec: ProgramSpec, root: string): Promise<void> {
  // A confined program's writable directories are usually among its dirs already: each is made once.
  for (const dir of new Set([...spec.dirs, ...(spec.confined?.writable ?? [])])) {
    await mkdirIn(root, dir);
    await chmod(dir, 0o755);
    // mkdirIn refused any symlink on the way: `dir` is a directory the lab made, not a link's target.
    if (spec.confined) await lchown(dir, LAB_UID, LAB_GID);
  }
  for (const file of spec.files) await writeFileIn(root, file.path, file.content, 0o644);
  for (const [link, target] of spec.links) await symlinkIn(root, link, target);
}

/**
 * Starts a program in `netns`, detached from prober so it outlives `lab up`. Its files go below
 * `root`, its output to `root/logs/<netns>.<container>.log` (a file, not a pipe: some programs
 * reopen /proc/self/fd/2, which a pipe — a socket in Node — refuses). Of prober's environment `env`
 * it gets only PATH.
 */
export async function startProgram(
  spec: ProgramSpec,
  netns: string,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningProgram> {
  await prepareFiles(spec, root);
  const log = join(root, 'logs', `${netns}.${spec.container}.log`);
  const file = await openLogIn(root, log);
  try {
    // Its own: a confined program reopens it by name (/proc/self/fd/2, /dev/stderr) as the lab's uid.
    if (spec.confined) await file.chown(LAB_UID, LAB_GID);
    const argv = spec.confined ? confinedArgv(spec.confined.writable, spec.argv) : spec.argv;
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], {
      detached: true,
      // A container starts in its own working directory, not prober's: the lab's uid may not be able to
      // enter prober's (a checkout under a 0700 directory), and HAProxy, for one, exits when it cannot
      // return to the directory it started in. Every path a program is given is absolute.
      cwd: '/',
      stdio: ['ignore', file.fd, file.fd],
      env: { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? 0));
      child.once('error', (error) =>
        reject(new Error(`unable to start ${spec.argv[0]} for ${spec.pod}/${spec.container}`, { cause: error })),
      );
    });
    // Read at once: until this process reaps the child, its PID cannot be reused.
    const startTime = startTimeOf(pid);
    child.unref();
    return {
      pod: spec.pod,
      netns,
      container: spec.container,
      kind: spec.kind,
      pid,
      ...(startTime ? { startTime } : {}),
      log,
      argv: spec.argv,
    };
  } finally {
    await file.close();
  }
}

/** The last lines of a log, for error messages about a program that did not come up. */
export async function tail(log: string, lines = 5): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join(' | ');
}
