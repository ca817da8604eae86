// Which processes are the lab's, and stopping them: a PID alone can be reused by any process, so the
// lab remembers when each of its processes started and signals only a PID that still matches.

import { readFileSync } from 'node:fs';
import { waitFor } from '../model/wait.ts';

/** What /proc says about a process: its state letter, process group and start time (clock ticks since boot). */
export interface ProcessInfo {
  readonly state: string;
  readonly group: number;
  readonly startTime: string;
}

/** A process the lab may signal: its PID and the start time it had when the lab took it for its own. */
export interface OwnedProcess {
  readonly pid: number;
  readonly startTime: string;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (a zombie counts as gone). */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, , group] = fields;
  const startTime = fields[19];
  if (!state || state === 'Z' || state === 'X' || !group || !startTime) return undefined;
  return { state, group: Number(group), startTime };
}

/** The start time of a running process, to record next to its PID. */
export function startTimeOf(pid: number): string | undefined {
  return processInfo(pid)?.startTime;
}

/** True while `owned` is still the process the lab took for its own (same PID, same start time). */
export function stillOwned(owned: OwnedProcess): boolean {
  return processInfo(owned.pid)?.startTime === owned.startTime;
}

/** Sends `signal` to a process the lab owns, and to its process group when it leads one. */
function signalOwned(owned: OwnedProcess, signal: NodeJS.Signals): void {
  const info = processInfo(owned.pid);
  if (info?.startTime !== owned.startTime) return;
  // The programs are started detached, each leading its own group (workers such as Apache's children
  // included); a PID that leads no group is signalled alone, so no unrelated group is ever hit.
  const targets = info.group === owned.pid ? [-owned.pid, owned.pid] : [owned.pid];
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // Gone already.
    }
  }
}

/**
 * Stops processes: SIGTERM, then SIGKILL to whatever is left after `graceMs`. Before every signal
 * the process is checked to be the same one (PID and start time), so a PID reused meanwhile is spared.
 */
export async function stopProcesses(processes: readonly OwnedProcess[], graceMs = 3000): Promise<void> {
  for (const owned of processes) signalOwned(owned, 'SIGTERM');
  // Not abortable: this is the cleanup an interrupted run falls back on, and it is bounded by `graceMs`.
  await waitFor(() => !processes.some(stillOwned), { deadlineMs: graceMs, intervalMs: 25 });
  for (const owned of processes.filter(stillOwned)) signalOwned(owned, 'SIGKILL');
}
