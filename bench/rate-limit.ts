// The rate-limit check's sender: how close one `prober check` process holds its offered rate, up to
// and past the goal (within 2 % up to 5,000 req/s), against nginx on loopback. Run alone with
// `node bench/rate-limit.ts` (needs `dist/prober` and Debian's nginx); part of `npm run bench`.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepting } from '../test/helpers/foreground.ts';
import { freePort } from '../test/helpers/haproxy.ts';
import { until } from '../test/helpers/wait.ts';
import { BINARY } from './command.ts';

/** Offered rates, requests per second; each is held for DURATION. */
const RATES = [1000, 2000, 5000, 8000];
const DURATION = '5s';

/** nginx serving a small file with no limit: every request is answered, so only the sender is measured. */
async function startNginx(dir: string): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'ok'), 'ok\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
  client_body_temp_path ${dir}/cb; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  server { listen 127.0.0.1:${port}; root ${dir}/www; } }
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: 'ignore' });
  await until('nginx listening', async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}`);
    return accepting('127.0.0.1', port);
  });
  return { port, stop: () => child.kill('SIGKILL') };
}

interface Held {
  readonly offered: number;
  readonly achieved: number;
  /** Achieved over offered, in per cent. */
  readonly heldPercent: number;
  readonly late: number;
  readonly scheduled: number;
  readonly verdict: string;
  readonly why: string;
  readonly cpuMs: number;
}

/** One `prober check` whose only check offers `rate`/s for DURATION (the limit far above it: a below-limit phase). */
function offer(dir: string, port: number, rate: number): Held {
  const file = join(dir, `test-${rate}.yaml`);
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: bench-rate }
spec:
  sources: { here: { local: true } }
  targets: { web: { url: "http://127.0.0.1:${port}/ok" } }
  expect: [{ from: here, to: web, verdict: allow }]
  checks: { sender: { rateLimit: { from: here, to: web, limit: 10000/s, rate: ${rate}/s, duration: ${DURATION} } } }
`,
  );
  const run = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', BINARY, 'check', '-f', file, '-o', 'json'], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const report = JSON.parse(run.stdout) as {
    checks: {
      phases: {
        verdict: string;
        why: string;
        measurement: { achievedPerSecond: number; late: number; scheduled: number };
      }[];
    }[];
  };
  const phase = report.checks[0]!.phases[0]!;
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr);
  const m = phase.measurement;
  return {
    offered: rate,
    achieved: m.achievedPerSecond,
    heldPercent: Math.round((m.achievedPerSecond / rate) * 10_000) / 100,
    late: m.late,
    scheduled: m.scheduled,
    verdict: phase.verdict,
    why: phase.why,
    cpuMs: cpu ? Math.round((Number(cpu[1]) + Number(cpu[2])) * 1000) : 0,
  };
}

/** Each offered rate: what was achieved, how many went late, the phase's verdict (`undecided` when not held). */
export async function benchRateLimit(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-rate-'));
  const nginx = await startNginx(dir);
  try {
    const rates = RATES.map((rate) => offer(dir, nginx.port, rate));
    return { goal: 'achieved within 2 % of the offered rate up to 5,000 req/s, else reported as not held', rates };
  } finally {
    nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename)
  process.stdout.write(`${JSON.stringify(await benchRateLimit(), null, 2)}\n`);
