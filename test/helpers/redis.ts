// A real redis-server for a test, on a free loopback port: stopped, restarted and frozen at will.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { Teardown } from './netns.ts';
import { closedPort as freePort } from './peers.ts';
import { until } from './wait.ts';

export type { Teardown };

/** A redis-server owned by one test. */
export interface RedisFixture {
  readonly port: number;
  /** A client for checking what the app stored (closed at teardown). */
  readonly client: Redis;
  /** Stops the server (SIGTERM) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and waits until it answers. */
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open, nothing answers. */
  freeze(frozen: boolean): void;
}

async function answersPing(port: number, password: string | undefined): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    password,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Starts redis-server (no persistence) for test `t`; it is killed at teardown. */
export async function startRedis(t: Teardown, options: { password?: string } = {}): Promise<RedisFixture> {
  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async (): Promise<boolean> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    child = started;
    // Either it answers PING, or it exited (e.g. the port was taken in the meantime).
    const ok = await until(`redis-server on port ${port}`, async () => {
      if (started.exitCode !== null || started.signalCode !== null) return 'exited';
      return (await answersPing(port, options.password)) ? 'up' : undefined;
    });
    return ok === 'up';
  };
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    if (await launch()) break;
    if (attempt >= 4) throw new Error('unable to start redis-server');
  }
  const client = new Redis({ port, host: '127.0.0.1', password: options.password, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);

  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGCONT');
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  };
  t.teardown(async () => {
    client.disconnect();
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    }
  });
  return {
    port,
    client,
    stop,
    start: async () => {
      if (!(await launch())) throw new Error(`unable to restart redis-server on port ${port}`);
    },
    freeze: (frozen) => {
      child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    },
  };
}
