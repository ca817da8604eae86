// Benchmarks of `prober lint` on the scale scenario of the policy engine (500 namespaces, 5,000 pods in 1,000
// workloads, 1,000 NetworkPolicies): the analysis alone in a fresh process, and the whole command through the binary.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildModel, type ClusterInput } from '../src/policy/index.ts';
import { lint, withDnsServer } from '../src/policy/lint/index.ts';
import { measureCommand } from './command.ts';
import { type Scenario, syntheticCluster } from './policy.ts';

const BASE: Scenario = { namespaces: 500, workloads: 1000, podsPerWorkload: 5, policies: 1000 };
const TARGET_MS = 5000;

interface Measurement {
  readonly buildMs: number;
  readonly lintMs: number;
  readonly totalMs: number;
  readonly peakRssMB: number;
  readonly findings: Record<string, number>;
}

const round = (x: number): number => Math.round(x * 10) / 10;

/** The child side: model and every check, timed apart. */
function measure(s: Scenario): Measurement {
  const input = syntheticCluster(s);
  const t0 = performance.now();
  const withDns = withDnsServer(input);
  const model = buildModel(withDns.input);
  const t1 = performance.now();
  const result = lint(model, { assumedDns: withDns.assumed });
  const t2 = performance.now();
  const findings: Record<string, number> = {};
  for (const f of result.findings) findings[f.id] = (findings[f.id] ?? 0) + 1;
  return {
    buildMs: round(t1 - t0),
    lintMs: round(t2 - t1),
    totalMs: round(t2 - t0),
    peakRssMB: round(process.resourceUsage().maxRSS / 1024),
    findings,
  };
}

function runChild(s: Scenario): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [import.meta.filename, '--child', JSON.stringify(s)], (error, stdout, stderr) => {
      if (error) reject(new Error(`lint benchmark child failed: ${stderr}`, { cause: error }));
      else resolve(JSON.parse(stdout) as Measurement);
    });
  });
}

/** The synthetic cluster as manifests: Namespaces, Pods with status.podIPs, NetworkPolicies. */
function writeCluster(dir: string, cluster: ClusterInput): void {
  const namespaces = (cluster.namespaces ?? []).map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: ns.labels },
  }));
  const pods = cluster.workloads.map((w) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
    spec: {
      containers: [{ name: 'app', ports: (w.ports ?? []).map((p) => ({ name: p.name, containerPort: p.port })) }],
    },
    status: { podIP: w.ips?.[0], podIPs: (w.ips ?? []).map((ip) => ({ ip })) },
  }));
  const policies = (cluster.policies ?? []).map((p) => p.manifest);
  const write = (name: string, docs: unknown[]): void =>
    writeFileSync(join(dir, name), docs.map((d) => stringify(d, { version: '1.1' })).join('---\n'));
  write('namespaces.yaml', namespaces);
  write('pods.yaml', pods);
  write('policies.yaml', policies);
}

/**
 * The `lint` section of `npm run bench`: the analysis in-process (median of 3 fresh processes) and
 * `prober lint -f DIR -o sarif` through dist/prober, against the goal of 5 s.
 */
export async function benchLint(): Promise<Record<string, unknown>> {
  const runs: Measurement[] = [];
  for (let i = 0; i < 3; i++) runs.push(await runChild(BASE));
  runs.sort((a, b) => a.totalMs - b.totalMs);
  const engine = runs[1]!;
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-lint-'));
  try {
    writeCluster(dir, syntheticCluster(BASE));
    const command = measureCommand(['lint', '-f', dir, '-o', 'sarif', '--fail-on', 'never']);
    // The same manifests read and modelled, one cell explained: what every policy command pays before its own work.
    const loadOnly = measureCommand(['simulate', '-f', dir, '--explain', 'ns-0/app-0-0', 'ns-1/app-1-0', '8080']);
    return {
      name: 'lint',
      description:
        '500 namespaces, 5,000 pods (1,000 workloads), 1,000 NetworkPolicies: model + all checks in-process, and the whole command',
      engine,
      command,
      loadOnly,
      commandToLoadOnlyRatio: round(command.wallMs / loadOnly.wallMs),
      lintToBuildRatio: round(engine.lintMs / engine.buildMs),
      targets: { wallMs: TARGET_MS },
      withinTargets: command.exitCode === 0 && command.wallMs <= TARGET_MS && engine.totalMs <= TARGET_MS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main && process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(measure(JSON.parse(process.argv[3]!) as Scenario)));
} else if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await benchLint(), null, 2)}\n`);
}
