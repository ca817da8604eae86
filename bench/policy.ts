// Benchmarks of `prober simulate` and of loading big test files as whole commands through the built binary
// (reading, parsing, the model and writing the output, wall time and peak RSS), and of the policy engine alone.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type ClusterInput, type PolicyInput, type WorkloadInput } from '../src/policy/index.ts';
import { type CommandCost, measureCommand } from './command.ts';
import { writeManifestSet } from './synthetic-manifests.ts';

/** Size of a synthetic cluster. */
export interface Scenario {
  readonly namespaces: number;
  readonly workloads: number;
  readonly podsPerWorkload: number;
  readonly policies: number;
}

/** What one child process measured. */
export interface Measurement {
  readonly scenario: Scenario;
  readonly pods: number;
  readonly buildMs: number;
  readonly matrixMs: number;
  readonly totalMs: number;
  readonly peakRssMB: number;
  readonly cells: number;
  readonly allowedCells: number;
}

const BASE: Scenario = { namespaces: 500, workloads: 1000, podsPerWorkload: 5, policies: 1000 };
const PORT = 8080;
const TARGET_MS = 2000;
const TARGET_MB = 500;

/** A deterministic cluster: namespaces with team labels, web/api workloads, a mix of policy shapes. */
export function syntheticCluster(s: Scenario): ClusterInput {
  const namespaces = Array.from({ length: s.namespaces }, (_, i) => ({
    name: `ns-${i}`,
    labels: { team: `t${i % 20}`, env: ['dev', 'test', 'prod'][i % 3]! },
  }));
  const workloads: WorkloadInput[] = [];
  for (let w = 0; w < s.workloads; w++) {
    const ns = `ns-${w % s.namespaces}`;
    for (let p = 0; p < s.podsPerWorkload; p++) {
      workloads.push({
        namespace: ns,
        name: `app-${w}-${p}`,
        owner: `app-${w}`,
        labels: { app: `app-${w}`, role: w % 2 === 0 ? 'frontend' : 'backend', tier: `tier-${w % 4}` },
        ports: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9090 },
        ],
        ips: [`10.${(w >> 8) & 255}.${w & 255}.${p + 1}`],
      });
    }
  }
  const policies: PolicyInput[] = [];
  for (let p = 0; p < s.policies; p++) {
    const ns = `ns-${p % s.namespaces}`;
    const meta = { name: `pol-${p}`, namespace: ns };
    const app = `app-${(p * 7) % s.workloads}`;
    const specs = [
      { podSelector: {} },
      {
        podSelector: { matchLabels: { role: 'backend' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: `t${p % 20}` } },
                podSelector: { matchLabels: { role: 'frontend' } },
              },
            ],
            ports: [{ port: 'http' }],
          },
        ],
      },
      {
        podSelector: { matchLabels: { app } },
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['tier-0', 'tier-1'] }] } },
              { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } },
            ],
            ports: [{ port: 8000, endPort: 8100 }],
          },
        ],
      },
      {
        podSelector: { matchLabels: { role: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] },
          { ports: [{ port: 53, protocol: 'UDP' }] },
        ],
      },
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/9', except: [`10.${p % 64}.0.0/16`] } }] }] },
    ];
    policies.push({
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta,
        spec: specs[p % specs.length],
      },
    });
  }
  return { namespaces, workloads, policies };
}

/** Runs one scenario in this process (the child side). */
function measure(s: Scenario): Measurement {
  const input = syntheticCluster(s);
  const t0 = performance.now();
  const model = buildModel(input);
  const t1 = performance.now();
  const matrix = model.matrix(PORT, 'TCP');
  const t2 = performance.now();
  const n = model.workloads.length;
  return {
    scenario: s,
    pods: input.workloads.length,
    buildMs: round(t1 - t0),
    matrixMs: round(t2 - t1),
    totalMs: round(t2 - t0),
    // maxRSS is in kilobytes; the child starts clean, so this is the engine's own peak.
    peakRssMB: round(process.resourceUsage().maxRSS / 1024),
    cells: n * n,
    allowedCells: matrix.allowed,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function runChild(s: Scenario): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [import.meta.filename, '--child', JSON.stringify(s)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`policy benchmark child failed: ${stderr}`, { cause: error }));
        else resolve(JSON.parse(stdout) as Measurement);
      },
    );
  });
}

async function median(s: Scenario, runs: number): Promise<Measurement> {
  const results: Measurement[] = [];
  for (let i = 0; i < runs; i++) results.push(await runChild(s));
  results.sort((a, b) => a.totalMs - b.totalMs);
  return results[Math.floor(runs / 2)]!;
}

/** The engine alone: buildModel + one port's matrix on the base scenario, and growth per doubled dimension. */
async function benchEngine(): Promise<Record<string, unknown>> {
  const base = await median(BASE, 3);
  const doubled = {
    namespaces: { ...BASE, namespaces: BASE.namespaces * 2 },
    workloads: { ...BASE, workloads: BASE.workloads * 2 },
    podsPerWorkload: { ...BASE, podsPerWorkload: BASE.podsPerWorkload * 2 },
    policies: { ...BASE, policies: BASE.policies * 2 },
  };
  const growth: Record<string, unknown> = {};
  for (const [dimension, scenario] of Object.entries(doubled)) {
    const m = await median(scenario, 3);
    growth[dimension] = { totalMs: m.totalMs, timeRatio: round(m.totalMs / base.totalMs), peakRssMB: m.peakRssMB };
  }
  return {
    description: 'buildModel + matrix(8080/TCP) over all workload pairs, in-process, synthetic NetworkPolicy cluster',
    base,
    growthWhenDoubled: growth,
    targets: { totalMs: TARGET_MS, peakRssMB: TARGET_MB },
    withinTargets: base.totalMs <= TARGET_MS && base.peakRssMB <= TARGET_MB,
  };
}

/** Goals for the scenario: 2,000 Deployments (4,000,000 cells) with `-o json`. */
const SIMULATE_TARGET = { wallMs: 60_000, peakRssMB: 512 };

/**
 * `prober simulate -f DIR -o FORMAT > /dev/null` on generated manifests where every Deployment
 * serves a port (N workloads give N × N cells), plus the table, compact at 1,000 targets.
 */
function benchSimulate(dir: string): Record<string, unknown> {
  const sizes = [500, 1000, 2000];
  const json: Record<string, CommandCost & { cells: number }> = {};
  for (const n of sizes) {
    const set = join(dir, `simulate-${n}`);
    writeManifestSet(set, { workloads: n, servingEvery: 1, isolatedNamespaces: n / 20 });
    json[n] = { ...measureCommand(['simulate', '-f', set, '-o', 'json']), cells: n * n };
  }
  const set1000 = join(dir, 'simulate-1000');
  const small = join(dir, 'simulate-40');
  writeManifestSet(small, { workloads: 40, servingEvery: 1, isolatedNamespaces: 2 });
  const biggest = json[2000]!;
  return {
    description:
      'whole command through dist/prober, output to /dev/null; every Deployment serves 8080, so N workloads make N × N cells',
    json,
    jsonTimeRatio2000to1000: round(biggest.wallMs / json[1000]!.wallMs),
    jsonCellsRatio2000to1000: 4,
    junit1000: measureCommand(['simulate', '-f', set1000, '-o', 'junit']),
    table40: measureCommand(['simulate', '-f', small, '-o', 'table']),
    tableCompact1000: measureCommand(['simulate', '-f', set1000, '-o', 'table']),
    targets2000Json: SIMULATE_TARGET,
    withinTargets:
      biggest.exitCode === 0 &&
      biggest.wallMs <= SIMULATE_TARGET.wallMs &&
      biggest.peakRssMB <= SIMULATE_TARGET.peakRssMB,
  };
}

/** Goal of the issue: a 200 × 200 matrix as a table and as a picture, each within a second, whole command. */
const PICTURE_TARGET_MS = 1000;

/** The run of three with the median wall time. */
function median3(args: readonly string[]): CommandCost {
  const runs = [0, 1, 2].map(() => measureCommand(args)).sort((a, b) => a.wallMs - b.wallMs);
  return runs[1]!;
}

/**
 * `prober simulate` on 200 workloads that all serve a port (40,000 cells) as the compact table (to
 * /dev/null, so 120 columns wide: 3 bands), SVG and HTML, side by side with JSON on the same input, so
 * the ratio shows what drawing adds to loading and computing; medians of three runs.
 */
export function benchPictures(dir: string): Record<string, unknown> {
  const set = join(dir, 'simulate-200');
  writeManifestSet(set, { workloads: 200, servingEvery: 1, isolatedNamespaces: 10 });
  const run = (format: string) => median3(['simulate', '-f', set, '-o', format]);
  const version = median3(['--version']);
  const json = run('json');
  const table = run('table');
  const svg = run('svg');
  const html = run('html');
  return {
    description:
      'simulate on 200 workloads serving 8080 (200 × 200 cells), whole command, output to /dev/null, median of 3',
    startup: version,
    json,
    table,
    svg,
    html,
    tableToJsonCpu: round(table.cpuMs / json.cpuMs),
    svgToJsonCpu: round(svg.cpuMs / json.cpuMs),
    tableToJsonTime: round(table.wallMs / json.wallMs),
    svgToJsonTime: round(svg.wallMs / json.wallMs),
    targetMs: PICTURE_TARGET_MS,
    withinTargets: [table, svg].every((c) => c.exitCode === 0 && c.wallMs <= PICTURE_TARGET_MS),
  };
}

/** A ReachabilityTest with `count` local tcp targets whose last rule names no target: `check` loads it all, then stops. */
function bigTestFile(file: string, count: number): void {
  const targets = Array.from({ length: count }, (_, i) => `    t${i}: {url: "tcp://127.0.0.1:${1 + (i % 60000)}"}`);
  const head =
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: big}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n';
  writeFileSync(
    file,
    `${head}${targets.join('\n')}\n  expect:\n    - {from: here, to: "*", verdict: deny}\n    - {from: here, to: missing, verdict: allow}\n`,
  );
}

/** `prober check -f FILE` on 30,000 and 100,000 targets, up to the error on the last line: loading alone. */
function benchLoad(dir: string): Record<string, unknown> {
  const runs: Record<string, CommandCost> = {};
  for (const count of [30_000, 100_000]) {
    const file = join(dir, `targets-${count}.yaml`);
    bigTestFile(file, count);
    runs[count] = measureCommand(['check', '-f', file]);
  }
  return {
    description:
      'check -f on a test file whose last rule names no target: read, parse, schema, every target and rule checked, then exit 2',
    runs,
    timeRatio100kTo30k: round(runs[100_000]!.wallMs / runs[30_000]!.wallMs),
    sizeRatio: round(100 / 30),
  };
}

/**
 * The `policy` section of `npm run bench`: `simulate` as users run it (JSON up to 4,000,000 cells,
 * JUnit, the table; 200 × 200 as table, SVG and HTML), loading test files of 30,000 and 100,000 targets, and the engine alone (500
 * namespaces, 5,000 pods, 1,000 NetworkPolicies; medians of 3 fresh processes).
 */
export async function benchPolicy(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-policy-'));
  try {
    return {
      name: 'policy',
      simulate: benchSimulate(dir),
      pictures: benchPictures(dir),
      load: benchLoad(dir),
      engine: await benchEngine(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Only when this file is the child's entry: bench/lint.ts imports it and starts children of its own.
if (import.meta.main && process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(measure(JSON.parse(process.argv[3]!) as Scenario)));
} else if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchPolicy(), null, 2)}\n`);
}
