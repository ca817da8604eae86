// Every `lab` subcommand run by a user who is not root says "needs root" before it touches anything:
// the running lab (its time app runs as nobody, whom a `lab down` by nobody could signal) is untouched.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { prepareRuntime } from '../../app/runtime.ts';
import { LAB_FIXTURES, lab, labName, leftovers } from '../helpers/lab.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';

const RUN = '/run/prober-lab';

/** Runs `prober lab <args>` as nobody (uid and gid 65534, no groups). */
function labAsNobody(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '--', requireBinary(), 'lab', ...args],
    { encoding: 'utf8', cwd: ROOT },
  );
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** The start time of a process (/proc/<pid>/stat field 22), or undefined when it is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

t.test('as nobody, every lab subcommand fails with "needs root" and leaves the running lab alone', async (t) => {
  await prepareRuntime();
  const name = labName();
  // The repository's lab: its time app runs as nobody, so nobody could stop it.
  t.teardown(() => {
    lab(['down', '--name', name]);
  });
  const up = lab(['up', '--name', name]);
  if (up.status !== 0) throw new Error(`lab up failed (${up.status}): ${up.stderr}`);
  const stateFile = join(RUN, name, 'state.json');
  const state = readFileSync(stateFile, 'utf8');
  const programs = (JSON.parse(state) as { programs: { kind: string; pid: number; startTime: string }[] }).programs;
  t.ok(
    programs.some((p) => p.kind === 'time-app'),
    'the lab runs the time app',
  );
  const before = leftovers(name);
  const fresh = labName();
  const commands: [string, string[]][] = [
    ['down', ['down', '--name', name]],
    ['reset', ['reset', '--name', name]],
    ['apply', ['apply', '--name', name, '-f', join(ROOT, 'policies', 'networkpolicy')]],
    ['test', ['test', '--name', name, '-f', join(ROOT, 'policies', 'expectations.yaml')]],
    ['status', ['status', '--name', name]],
    // A lab of its own: the first thing it says is that it needs root, not what else is missing.
    ['up', ['up', '--name', fresh]],
    ['up -f', ['up', '--name', fresh, '-f', join(LAB_FIXTURES, 'synthetic')]],
    ['demo', ['demo', '--name', fresh]],
  ];
  for (const [what, args] of commands) {
    const run = labAsNobody(args);
    t.equal(run.status, 2, `lab ${what}: exit 2`);
    t.match(run.stderr, /^prober: the lab needs root: /, `lab ${what}: says it needs root first`);
    t.equal(run.stderr.trim().split('\n').length, 1, `lab ${what}: one line`);
    t.equal(run.stdout, '', `lab ${what}: nothing on stdout`);
    for (const program of programs)
      t.equal(startTime(program.pid), program.startTime, `after lab ${what}: ${program.kind} still runs`);
    t.same(leftovers(name), before, `after lab ${what}: every namespace, file and process of the lab is there`);
    t.equal(readFileSync(stateFile, 'utf8'), state, `after lab ${what}: its state is unchanged`);
    t.same(leftovers(fresh), [], `after lab ${what}: no other lab was started`);
  }
  t.equal(lab(['status', '--name', name]).status, 0, 'root still sees the lab up');
});
