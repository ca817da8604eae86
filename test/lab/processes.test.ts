// Stopping the lab's processes: a PID is signalled only while it still has the start time the lab
// recorded, so a reused PID (or one a state file names wrongly) belongs to someone else and is spared.

import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { processInfo, stopProcesses } from '../../src/lab/processes.ts';

/** A `sleep` child and a promise of its exit signal. */
function sleeper(t: Test) {
  const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  return { pid: child.pid!, exited, child };
}

t.test('processInfo reads state, group and start time from /proc', async (t) => {
  const self = processInfo(process.pid);
  t.ok(self, 'this process');
  t.match(self, { state: /^[RS]$/, startTime: /^\d+$/ });
  t.equal(processInfo(0), undefined);
  t.equal(processInfo(2 ** 22 + 1), undefined, 'no such process');
});

t.test('a process with the recorded start time is stopped, with its group', async (t) => {
  const { pid, exited } = sleeper(t);
  const info = processInfo(pid)!;
  t.equal(info.group, pid, 'a detached child leads its group');
  await stopProcesses([{ pid, startTime: info.startTime }], 1000);
  t.equal(await exited, 'SIGTERM');
});

t.test('a process whose start time differs from the recorded one is left alone', async (t) => {
  const { pid, child, exited } = sleeper(t);
  const info = processInfo(pid)!;
  await stopProcesses([{ pid, startTime: String(Number(info.startTime) - 1) }], 100);
  t.equal(processInfo(pid)?.startTime, info.startTime, 'still running');
  // A process dies of the first fatal signal sent to it (the kernel records it at once), so the exit
  // signal shows whether stopProcesses sent SIGTERM, however late the exit is observed here.
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'not signalled');
});
