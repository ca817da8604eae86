// Benchmark of the time app (as shipped, in its Debian 13 root) against a real local Redis, using wrk.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { APP_DIST_DIR, buildApp } from '../app/build.mjs';
import { appCommand, prepareRuntime } from '../app/runtime.ts';
import { closedPort as freePort } from '../test/helpers/peers.ts';
import { until } from '../test/helpers/wait.ts';

const run = promisify(execFile);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const PATHS = ['/get', '/set'] as const;
// One wrk thread drives 16 connections easily and leaves the other cores to the app and Redis.
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

/** What wrk measured for one path. */
interface PathResult {
  requestsPerSec: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  non2xx: number;
  socketErrors: number;
}

function toMs(value: string, unit: string): number {
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  const scale = factor[unit];
  if (scale === undefined) throw new Error(`unknown wrk time unit ${unit}`);
  return Math.round(Number(value) * scale * 1000) / 1000;
}

/** Reads requests/s, p50/p99 and errors from `wrk --latency` output. */
function parseWrk(output: string): PathResult {
  const percentile = (p: string): number => {
    const match = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    if (!match?.[1] || !match[2]) throw new Error(`wrk output has no ${p}% latency:\n${output}`);
    return toMs(match[1], match[2]);
  };
  const number = (pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    latencyMs: { p50: percentile('50'), p99: percentile('99') },
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  await buildApp();
  const { rootfs } = await prepareRuntime();
  const work = await mkdtemp(path.join(tmpdir(), 'prober-bench-app-'));
  let redis: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  try {
    const redisPort = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const appPort = await freePort();
    const { argv, env } = appCommand({
      rootfs,
      appDir: APP_DIST_DIR,
      env: { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redisPort), PORT: String(appPort) },
    });
    // Request logs go to a file, as a container runtime would collect them: their cost is measured.
    const logPath = process.env.BENCH_LOG ?? path.join(work, 'app.log');
    const log = await open(logPath, 'w');
    const [command = '', ...args] = argv;
    app = spawn(command, args, { env, stdio: ['ignore', log.fd, 'inherit'] });
    await log.close();
    const url = `http://127.0.0.1:${appPort}`;
    await until('the app to reach Redis', async () => (await fetch(`${url}/healthz`)).status === 200, 30_000);
    await fetch(`${url}/set`);

    // Warm-up, not recorded: lets the JIT compile the hot paths before measuring.
    for (const urlPath of PATHS) await run('wrk', ['-t', '1', '-c', String(CONNECTIONS), '-d', '2s', url + urlPath]);

    const results: Record<string, PathResult> = {};
    for (const urlPath of PATHS) {
      const threads = String(THREADS);
      const { stdout } = await run('wrk', [
        '-t',
        threads,
        '-c',
        String(CONNECTIONS),
        '-d',
        `${DURATION_S}s`,
        '--latency',
        url + urlPath,
      ]);
      results[urlPath] = parseWrk(stdout);
    }
    const logBytes = (await stat(logPath)).size;
    console.log(
      JSON.stringify(
        {
          benchmark: 'time-app',
          tool: 'wrk',
          connections: CONNECTIONS,
          threads: THREADS,
          durationSeconds: DURATION_S,
          cpus: availableParallelism(),
          runtime: 'Debian 13 root, Node 24, uWebSockets.js 20.57.0',
          results,
          appLogBytes: logBytes,
        },
        null,
        2,
      ),
    );
  } finally {
    await stop(app);
    await stop(redis);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
