// Benchmark of the policy engine on a synthetic cluster; each scenario runs in its own process.
import { execFile } from 'node:child_process';
import { buildModel, type ClusterInput, type PolicyInput, type WorkloadInput } from '../src/policy/index.ts';

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
  const namespaces = Array.from({ length: s.namespaces }, (_, i) => ({ name: `ns-${i}`, labels: { team: `t${i % 20}`, env: ['dev', 'test', 'prod'][i % 3]! } }));
  const workloads: WorkloadInput[] = [];
  for (let w = 0; w < s.workloads; w++) {
    const ns = `ns-${w % s.namespaces}`;
    for (let p = 0; p < s.podsPerWorkload; p++) {
      workloads.push({
        namespace: ns,
        name: `app-${w}-${p}`,
        owner: `app-${w}`,
        labels: { app: `app-${w}`, role: w % 2 === 0 ? 'frontend' : 'backend', tier: `tier-${w % 4}` },
        ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }],
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
      { podSelector: { matchLabels: { role: 'backend' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${p % 20}` } }, podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 'http' }] }] },
      { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['tier-0', 'tier-1'] }] } }, { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }], ports: [{ port: 8000, endPort: 8100 }] }] },
      { podSelector: { matchLabels: { role: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }, { ports: [{ port: 53, protocol: 'UDP' }] }] },
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/9', except: [`10.${p % 64}.0.0/16`] } }] }] },
    ];
    policies.push({ manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: specs[p % specs.length] } });
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
    execFile(process.execPath, [import.meta.filename, '--child', JSON.stringify(s)], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`policy benchmark child failed: ${stderr}`, { cause: error }));
      else resolve(JSON.parse(stdout) as Measurement);
    });
  });
}

async function median(s: Scenario, runs: number): Promise<Measurement> {
  const results: Measurement[] = [];
  for (let i = 0; i < runs; i++) results.push(await runChild(s));
  results.sort((a, b) => a.totalMs - b.totalMs);
  return results[Math.floor(runs / 2)]!;
}

/**
 * The `policy` section of `npm run bench`: the base scenario (500 namespaces, 5,000 pods in
 * 1,000 workloads, 1,000 NetworkPolicies, full workload matrix for one port) and how time
 * grows when each dimension doubles. Median of 3 runs, each in a fresh process.
 */
export async function benchPolicy(): Promise<Record<string, unknown>> {
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
    name: 'policy',
    description: 'buildModel + matrix(8080/TCP) over all workload pairs, synthetic NetworkPolicy cluster',
    base,
    growthWhenDoubled: growth,
    targets: { totalMs: TARGET_MS, peakRssMB: TARGET_MB },
    withinTargets: base.totalMs <= TARGET_MS && base.peakRssMB <= TARGET_MB,
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(measure(JSON.parse(process.argv[3]!) as Scenario)));
} else if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchPolicy(), null, 2)}\n`);
}
