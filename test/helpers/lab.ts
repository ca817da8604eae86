// Running the real binary's `lab` commands in tests, each lab under a unique name, always taken down.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ROOT, requireBinary } from './prober.ts';
import { waitFor } from './wait.ts';

/** Fixture paths of the lab tests. */
export const LAB_FIXTURES = join(ROOT, 'test', 'fixtures', 'lab');

/** A fresh lab name, recognisable as a test's leftover if anything ever survives. */
export function labName(): string {
  return `pt-${randomBytes(3).toString('hex')}`;
}

/** Runs `prober lab <args>` to completion; never throws. */
export function lab(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(requireBinary(), ['lab', ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** Runs `prober lab <args>` asynchronously (so the test can act while it runs). */
export function labAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(requireBinary(), ['lab', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Brings a lab up from `manifests` and registers its removal; fails the test if `up` fails. */
export function labUp(t: Test, name: string, manifests: readonly string[]): void {
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name, '-f', ...manifests]);
  if (up.status !== 0) throw new Error(`lab up failed (${up.status}): ${up.stderr}`);
}

/** What the lab left on the host: namespaces, /etc/netns files, run directory, processes. */
export function leftovers(name: string): string[] {
  const found: string[] = [];
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  found.push(
    ...netns
      .split('\n')
      .filter((l) => l.startsWith(`${name}-`))
      .map((l) => `netns ${l.split(' ')[0]}`),
  );
  const etc = spawnSync('ls', ['/etc/netns'], { encoding: 'utf8' }).stdout;
  found.push(
    ...etc
      .split('\n')
      .filter((l) => l.startsWith(`${name}-`))
      .map((l) => `/etc/netns/${l}`),
  );
  if (spawnSync('test', ['-e', `/run/prober-lab/${name}`]).status === 0) found.push(`/run/prober-lab/${name}`);
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  found.push(
    ...ps
      .split('\n')
      .filter((l) => l.includes(`${name}-`) && !l.includes('ps -eo'))
      .map((l) => `process ${l.trim()}`),
  );
  return found;
}

/** Kills one program of a running lab (by pod and kind, from the lab's state) and waits until it is gone. */
export async function killProgram(name: string, pod: string, kind: string): Promise<void> {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')) as {
    programs: { pod: string; kind: string; pid: number }[];
  };
  const program = state.programs.find((p) => p.pod === pod && p.kind === kind);
  if (!program) throw new Error(`lab ${name} runs no ${kind} in ${pod}`);
  process.kill(program.pid, 'SIGKILL');
  await waitFor(`${kind} of ${pod} to be gone`, () => spawnSync('kill', ['-0', String(program.pid)]).status !== 0);
}
