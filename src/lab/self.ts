// How the lab runs prober itself inside a namespace: the single binary, or Node with the source entry.

import { isSea } from 'node:sea';

/** argv prefix that starts this same prober (agents, synthetic targets) in another process. */
export function proberArgv(): string[] {
  if (isSea()) return [process.execPath];
  const entry = process.argv[1];
  if (!entry) throw new Error('unable to tell how prober was started (no entry script)');
  return [process.execPath, ...process.execArgv, entry];
}
