// UDP probe rate: `prober agent` probing `prober serve` on loopback over UDP, beside the same over TCP, in one run.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseAgentOutput } from '../src/model/plan.ts';
import { BINARY } from './command.ts';
import { median, plan, round, runAgent } from './probe.ts';

/** Starts the built `prober serve` on a free loopback port (TCP and UDP) and returns the port and a stop function. */
async function startServe(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(BINARY, ['serve', '--port', '0', '--host', '127.0.0.1', '--name', 'bench'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`prober serve exited ${code} before listening`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      const match = /listening on .* port (\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

/** One agent run of `count` probes of `url`: probes per second and how many were allowed. */
async function rate(url: string, count: number): Promise<{ perSecond: number; allowed: number; maxRssKb: number }> {
  const { wallMs, stdout } = await runAgent(
    // TCP without the settle window: the ratio compares one exchange with one handshake, not with a
    // 200 ms watch (the settle window's own cost is in the probe and lab sections).
    plan(
      Array.from({ length: count }, () => url),
      2000,
      64,
      0,
    ),
  );
  const { results, done } = parseAgentOutput(stdout);
  const allowed = [...results.values()].filter((r) => r.observed === 'allow').length;
  return { perSecond: (count / wallMs) * 1000, allowed, maxRssKb: done?.maxRssKb ?? 0 };
}

/**
 * UDP probes per second from one agent against `prober serve` on loopback (each probe: a socket, the
 * default 512-byte datagram, the identity reply), and TCP connects (settle window off) to the same serve port, alternated
 * `runs` times so both see the same machine; medians, and their ratio.
 */
export async function benchUdp(count = 20_000, runs = 3): Promise<object> {
  const serve = await startServe();
  const udp: number[] = [];
  const tcp: number[] = [];
  let udpAllowed = 0;
  let tcpAllowed = 0;
  let maxRssKb = 0;
  try {
    for (let i = 0; i < runs; i += 1) {
      const u = await rate(`udp://127.0.0.1:${serve.port}`, count);
      const c = await rate(`tcp://127.0.0.1:${serve.port}`, count);
      udp.push(u.perSecond);
      tcp.push(c.perSecond);
      udpAllowed = Math.min(udpAllowed || count, u.allowed);
      tcpAllowed = Math.min(tcpAllowed || count, c.allowed);
      maxRssKb = Math.max(maxRssKb, u.maxRssKb);
    }
  } finally {
    serve.stop();
  }
  const udpRate = median(udp);
  const tcpRate = median(tcp);
  return {
    probes: count,
    runs,
    udpAllowedMin: udpAllowed,
    tcpAllowedMin: tcpAllowed,
    udpProbesPerSecond: Math.round(udpRate),
    tcpProbesPerSecond: Math.round(tcpRate),
    udpToTcpRatio: round(udpRate / tcpRate, 2),
    udpAgentMaxRssMb: round(maxRssKb / 1024),
    targetPerSecond: 5000,
  };
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(`${JSON.stringify(await benchUdp(), null, 2)}\n`);
}
