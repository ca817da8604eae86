// Starts a real redis-server for a test on a free port and stops it when the test ends.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { closedPort } from './peers.ts';
import { waitFor } from './wait.ts';
import { probeUrl } from '../../src/probe/engine.ts';

/** A running redis-server. */
export interface RedisHandle {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port (no persistence); extra args e.g. `['--requirepass', 'x']`. */
export async function startRedis(t: Test, extra: readonly string[] = [], bind = '127.0.0.1'): Promise<RedisHandle> {
  const port = await closedPort();
  const dir = mkdtempSync(join(tmpdir(), 'prober-test-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', bind, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  await waitFor(`redis-server on port ${port}`, async () => (await probeUrl(`tcp://${bind}:${port}`, { timeoutMs: 500, attempts: 1 })).observed === 'allow');
  return { port, stop };
}
