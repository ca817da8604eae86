// Whole commands as a user runs them (dist/prober, output to /dev/null) on the lifelike set of bench/cluster-set.ts,
// each against its goal (issue 25) and, given a previous build in PROBER_BENCH_BASELINE, side by side with it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClusterSet } from './cluster-set.ts';
import { BINARY, type CommandCost, measureProcess } from './command.ts';
import { silentResolver } from './silent-resolver.ts';

/** One case: the command's arguments (`{dir}` is the set's directory), and its goals. */
interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly goalMs: number;
  readonly goalRssMB?: number;
  /** An argv prefix the binary runs under (`ip netns exec NS`). */
  readonly under?: readonly string[];
}

const median = (costs: CommandCost[]): CommandCost =>
  [...costs].sort((a, b) => a.wallMs - b.wallMs)[costs.length >> 1]!;

function run(c: Case, binary: string, runs: number): CommandCost {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run build\` first`);
  const costs = Array.from({ length: runs }, () => measureProcess([...(c.under ?? []), binary, ...c.args]));
  return median(costs);
}

/** A case's figures: this build's, the baseline's when given, their ratio, whether the goals hold. */
function measureCase(c: Case, runs: number, baseline: string | undefined): Record<string, unknown> {
  const now = run(c, BINARY, runs);
  const before = baseline ? run(c, baseline, runs) : undefined;
  return {
    name: c.name,
    command: `prober ${c.args.join(' ')}`,
    wallMs: now.wallMs,
    cpuMs: now.cpuMs,
    peakRssMB: now.peakRssMB,
    exitCode: now.exitCode,
    goal: { wallMs: c.goalMs, ...(c.goalRssMB ? { peakRssMB: c.goalRssMB } : {}) },
    withinGoal: now.wallMs <= c.goalMs && (c.goalRssMB === undefined || now.peakRssMB <= c.goalRssMB),
    ...(before
      ? {
          baseline: { wallMs: before.wallMs, cpuMs: before.cpuMs, peakRssMB: before.peakRssMB },
          wallRatio: Math.round((now.wallMs / Math.max(1, before.wallMs)) * 100) / 100,
          cpuRatio: Math.round((now.cpuMs / Math.max(1, before.cpuMs)) * 100) / 100,
        }
      : {}),
    ...(now.exitCode !== 0 && now.exitCode !== 2 ? { lastStderr: now.lastStderr } : {}),
  };
}

/**
 * The `commands` section of `npm run bench`. PROBER_BENCH_SCALE (default 500) is the workloads of the
 * large simulate cases (its square is their cells); PROBER_BENCH_FULL=1 adds the 2,000 × 2,000
 * (4 M cells, about a minute each). PROBER_BENCH_RUNS (default 3) runs of the small cases, the median kept.
 */
export function benchCommands(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const scale = Number(env.PROBER_BENCH_SCALE ?? 500);
  const runs = Number(env.PROBER_BENCH_RUNS ?? 3);
  const baseline = env.PROBER_BENCH_BASELINE || undefined;
  const root = mkdtempSync(join(tmpdir(), 'prober-bench-commands-'));
  const silent = silentResolver();
  try {
    const small = join(root, 'small');
    const large = join(root, 'large');
    const full = join(root, 'full');
    const lintSet = join(root, 'lint');
    const lintJson = join(root, 'lint-json');
    writeClusterSet(small, { workloads: 200, format: 'yaml' });
    writeClusterSet(large, { workloads: scale, format: 'yaml' });
    writeClusterSet(lintSet, { workloads: 5000, format: 'yaml', pods: true });
    writeClusterSet(lintJson, { workloads: 5000, format: 'json', pods: true });
    // Goals of the 4 M-cell cases scaled to this scale's cells, with the 0.5 s any command starts in.
    const scaled = (goalMs: number): number => Math.round(500 + ((goalMs - 500) * scale * scale) / 4e6);
    const cases: [Case, number][] = [
      [{ name: 'version', args: ['--version'], goalMs: 100 }, runs],
      [{ name: 'simulate 200x200 table', args: ['simulate', '-f', small], goalMs: 500 }, runs],
      [{ name: 'simulate 200x200 svg', args: ['simulate', '-f', small, '-o', 'svg'], goalMs: 500 }, runs],
      [{ name: 'simulate 200x200 html', args: ['simulate', '-f', small, '-o', 'html'], goalMs: 500 }, runs],
      [{ name: 'simulate 200x200 json', args: ['simulate', '-f', small, '-o', 'json'], goalMs: 500 }, runs],
      [
        {
          name: `simulate ${scale}x${scale} json`,
          args: ['simulate', '-f', large, '-o', 'json'],
          goalMs: scaled(10_000),
        },
        1,
      ],
      [
        {
          name: `simulate ${scale}x${scale} compact`,
          args: ['simulate', '-f', large, '--table', 'compact'],
          goalMs: scaled(3000),
        },
        1,
      ],
      [
        {
          name: `simulate ${scale}x${scale} junit`,
          args: ['simulate', '-f', large, '-o', 'junit'],
          goalMs: scaled(10_000),
        },
        1,
      ],
      [
        {
          name: 'lint 5,000 pods yaml',
          args: ['lint', '-f', lintSet, '-o', 'sarif', '--fail-on', 'never'],
          goalMs: 3000,
          goalRssMB: 400,
        },
        1,
      ],
      [
        {
          name: 'lint 5,000 pods json List',
          args: ['lint', '-f', lintJson, '-o', 'sarif', '--fail-on', 'never'],
          goalMs: 3000,
          goalRssMB: 400,
        },
        1,
      ],
    ];
    if (env.PROBER_BENCH_FULL === '1') {
      writeClusterSet(full, { workloads: 2000, format: 'yaml' });
      for (const [output, goalMs] of [
        [['-o', 'json'], 10_000],
        [['--table', 'compact'], 3000],
        [['-o', 'junit'], 10_000],
      ] as const)
        cases.push([
          { name: `simulate 2000x2000 ${output.join(' ')}`, args: ['simulate', '-f', full, ...output], goalMs },
          1,
        ]);
    }
    // Issue 25's row: one name through a resolver that never answers, the probe's timeout 1 s.
    if (typeof silent !== 'string')
      cases.push([
        {
          name: 'probe dns:// silent resolver, --timeout 1s',
          args: ['probe', '--timeout', '1s', 'dns://some.name'],
          goalMs: 1100,
          under: silent.exec,
        },
        runs,
      ]);
    const node = median(Array.from({ length: runs }, () => measureProcess([process.execPath, '-e', '0'])));
    const results = cases.map(([c, n]) => measureCase(c, n, baseline));
    return {
      name: 'commands',
      description: `whole commands on bench/cluster-set.ts's cluster (namespaces of 10 workloads, a Service each, mixed policies); ${scale} workloads for the large cases`,
      baseline: baseline ?? null,
      nodeStartup: { command: 'node -e 0', wallMs: node.wallMs, peakRssMB: node.peakRssMB },
      results,
      withinGoals: results.every((r) => r.withinGoal),
      ...(typeof silent === 'string' ? { skipped: { 'probe dns:// silent resolver': silent } } : {}),
    };
  } finally {
    if (typeof silent !== 'string') silent.remove();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(benchCommands(), null, 2)}\n`);
