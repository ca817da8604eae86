// Test peers run as real programs in the foreground (haproxy -db, nginx with daemon off): started, waited
// for until they accept connections, and killed when the test ends.

import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Test } from 'tap';
import { until } from './wait.ts';

/** Resolves true once something accepts connections at host:port (a reset after accept counts), false when refused. */
export function accepting(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED'));
  });
}

/**
 * Runs `argv` until the test ends (SIGKILL at teardown, which also ends a stopped process) and waits
 * until `ready` holds; fails with the program's stderr if it exits first.
 */
export async function runInForeground(
  t: Test,
  what: string,
  argv: readonly [string, ...string[]],
  ready: () => Promise<boolean>,
): Promise<ChildProcess> {
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await until(`${what} ready`, async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${stderr.trim()}`);
    return ready();
  });
  return child;
}
