// HAProxy (Debian's haproxy) as a test peer: a real proxy in the foreground on a free port, killed at teardown.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { Test } from 'tap';
import { accepting, runInForeground } from './foreground.ts';
import { tempDir } from './temp.ts';
import { until, waitFor } from './wait.ts';

/** A running HAProxy: its port on 127.0.0.1 and ::1, and a way to stop it deciding for a while. */
export interface Haproxy {
  readonly port: number;
  /**
   * SIGSTOP, and back once every HAProxy thread is stopped (a signal is delivered, not obeyed, when
   * kill() returns): the kernel still completes handshakes on its listening sockets, but HAProxy accepts nothing.
   */
  pause(): Promise<void>;
  /** SIGCONT: HAProxy accepts what queued meanwhile and applies its rules to it. */
  resume(): void;
}

/** Listens on `port` at `host`, then releases it: true when it was free there. */
async function freeAt(port: number, host: string): Promise<number | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port the system reports free on both loopback addresses (port 0 on 127.0.0.1, then the same on ::1). */
export async function freePort(): Promise<number> {
  return until('a port free on 127.0.0.1 and ::1', async () => {
    const port = await freeAt(0, '127.0.0.1');
    return port !== undefined && (await freeAt(port, '::1')) === port ? port : undefined;
  });
}

/**
 * Starts `haproxy -db -f CFG` with one TCP frontend bound on 127.0.0.1 and ::1 of a free port, its
 * `rules` (e.g. `tcp-request connection reject`) inside, forwarding what it accepts to `backend`
 * (host:port; by default a port where nothing listens), and waits until both addresses accept. `maxconn`
 * also sets the listen backlog (HAProxy's default for a frontend).
 */
export async function startHaproxy(
  t: Test,
  rules: readonly string[],
  backend = '127.0.0.1:1',
  maxconn = 256,
): Promise<Haproxy> {
  const dir = tempDir(t, 'haproxy');
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      `  maxconn ${maxconn}`,
      'defaults',
      '  mode tcp',
      '  timeout connect 1s',
      '  timeout client 10s',
      '  timeout server 10s',
      'frontend under_test',
      `  bind 127.0.0.1:${port}`,
      `  bind [::1]:${port}`,
      ...rules.map((rule) => `  ${rule}`),
      '  default_backend nowhere',
      'backend nowhere',
      `  server only ${backend}`,
      '',
    ].join('\n'),
  );
  const child = await runInForeground(
    t,
    `haproxy on port ${port}`,
    ['haproxy', '-db', '-f', config],
    async () => (await accepting('127.0.0.1', port)) && (await accepting('::1', port)),
  );
  return {
    port,
    pause: async () => {
      child.kill('SIGSTOP');
      await waitFor(`haproxy (pid ${child.pid}) stopped`, () => allStopped(child.pid));
    },
    resume: () => child.kill('SIGCONT'),
  };
}

/** True when every thread of process `pid` is stopped (state T in /proc/PID/task/TID/stat). */
function allStopped(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  });
}
