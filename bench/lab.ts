// Lab benchmarks: matrix wall time of the seed topology and of a synthetic 20 × 20 topology with half
// the cells dropped, as a ratio to the probe timeout (a denied cell waits the whole timeout), and the
// tcp:// settle window's cost on the 20 × 20 matrix (default window against `settle: 0`, side by side).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRuntime } from '../app/runtime.ts';
import { BINARY, ROOT } from './command.ts';

export function lab(args: readonly string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
} {
  const started = performance.now();
  const out = spawnSync(BINARY, ['lab', ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr, wallMs: performance.now() - started };
}

/** Manifests of `count` workloads (one port each, one Service each) in four namespaces, plus a policy
 * per namespace that admits only sources labelled `parity: even`: half of every column is dropped.
 * Besides the test of every target as its name resolves (IPv4 first), `dualTest` probes each target
 * over both families (`family: both`): twice the cells; `testSettleOff` is the first with `settle: 0`. */
export function syntheticLab(
  dir: string,
  count: number,
): { manifests: string; policies: string; test: string; dualTest: string; testSettleOff: string } {
  const docs: string[] = [];
  const policies: string[] = [];
  const namespaces = ['n0', 'n1', 'n2', 'n3'];
  for (const ns of namespaces) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }`);
    policies.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: even-only, namespace: ${ns} }\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{ namespaceSelector: {}, podSelector: { matchLabels: { parity: even } } }]`,
    );
  }
  const sources: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const ns = namespaces[i % namespaces.length];
    const parity = i % 2 === 0 ? 'even' : 'odd';
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: w${i}, namespace: ${ns} }\nspec:\n  selector: { matchLabels: { app: w${i} } }\n  template:\n    metadata: { labels: { app: w${i}, parity: ${parity} } }\n    spec:\n      containers: [{ name: main, image: example.com/w:1, ports: [{ name: http, containerPort: 8080 }] }]`,
      `apiVersion: v1\nkind: Service\nmetadata: { name: w${i}, namespace: ${ns} }\nspec:\n  selector: { app: w${i} }\n  ports: [{ port: 80, targetPort: http }]`,
    );
    sources.push(`    w${i}: { namespace: ${ns}, selector: { app: w${i} } }`);
    targets.push(`    w${i}: { url: "tcp://w${i}.${ns}.svc.cluster.local:80" }`);
  }
  const paths = {
    manifests: join(dir, 'manifests.yaml'),
    policies: join(dir, 'policies.yaml'),
    test: join(dir, 'test.yaml'),
    dualTest: join(dir, 'dual-test.yaml'),
    testSettleOff: join(dir, 'test-settle-off.yaml'),
  };
  writeFileSync(paths.manifests, `${docs.join('\n---\n')}\n`);
  writeFileSync(paths.policies, `${policies.join('\n---\n')}\n`);
  const testText = (name: string, list: readonly string[], settle = '') =>
    `apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: { name: ${name} }\nspec:\n  defaults: { timeout: 1s, attempts: 1, concurrency: 64${settle} }\n  sources:\n${sources.join('\n')}\n  targets:\n${list.join('\n')}\n  expect: fromPolicies\n`;
  writeFileSync(paths.test, testText(`synthetic-${count}x${count}`, targets));
  writeFileSync(paths.testSettleOff, testText(`synthetic-${count}x${count}`, targets, ', settle: 0'));
  writeFileSync(
    paths.dualTest,
    testText(
      `synthetic-${count}x${count}-dual-stack`,
      targets.map((line) => line.replace(/ }$/, ', family: both }')),
    ),
  );
  return paths;
}

/** Runs `lab test` `runs` times in a lab that is up; returns matrix times (report duration) and command wall times. */
export function timeTests(name: string, test: string, timeoutMs: number, runs: number, expect: string): object {
  const matrix: number[] = [];
  const wall: number[] = [];
  let summary: unknown;
  for (let i = 0; i < runs; i += 1) {
    const out = lab(['test', '--name', name, '-f', test, '-o', 'json', '--expect', expect]);
    if (out.status !== 0) throw new Error(`lab test exited ${out.status}: ${out.stderr || out.stdout.slice(0, 400)}`);
    const report = JSON.parse(out.stdout) as { metadata: { durationMs: number }; summary: unknown };
    matrix.push(report.metadata.durationMs);
    wall.push(out.wallMs);
    summary = report.summary;
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    timeoutMs,
    runs,
    summary,
    matrixMedianMs: median(matrix),
    ratioToTimeout: Math.round((median(matrix) / timeoutMs) * 1000) / 1000,
    commandMedianMs: Math.round(median(wall)),
    targetRatio: 1.3,
  };
}

/**
 * The same matrix with the default settle window and with `settle: 0`, runs alternating so that both
 * see the same machine load: matrix times, their ratio to the timeout, and window / off.
 */
function settleSideBySide(name: string, withWindow: string, off: string, timeoutMs: number, runs: number): object {
  const window: object[] = [];
  const without: object[] = [];
  for (let i = 0; i < runs; i += 1) {
    window.push(timeTests(name, withWindow, timeoutMs, 1, 'policies'));
    without.push(timeTests(name, off, timeoutMs, 1, 'policies'));
  }
  const medianOf = (rows: object[]) => {
    const values = rows.map((row) => (row as { matrixMedianMs: number }).matrixMedianMs).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const [windowMs, offMs] = [medianOf(window), medianOf(without)];
  return {
    runs,
    summary: (window[0] as { summary?: unknown } | undefined)?.summary,
    defaultWindow: { matrixMedianMs: windowMs, ratioToTimeout: Math.round((windowMs / timeoutMs) * 1000) / 1000 },
    settleOff: { matrixMedianMs: offMs, ratioToTimeout: Math.round((offMs / timeoutMs) * 1000) / 1000 },
    windowToOff: Math.round((windowMs / offMs) * 1000) / 1000,
    targetRatio: 1.3,
  };
}

/**
 * The lab section of `npm run bench`. `more` measures further variants in the synthetic lab while it
 * is up (with its policies applied), side by side with the synthetic figures.
 */
export async function benchLab(
  more?: (name: string, paths: ReturnType<typeof syntheticLab>) => Record<string, object>,
): Promise<object> {
  await prepareRuntime();
  const seedName = `bench-seed-${process.pid}`;
  const synName = `bench-syn-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-lab-'));
  try {
    // The repository's lab as `npm start` runs it: k8s/ with its profile (the time app for real).
    const up = lab(['up', '--name', seedName, '--profile', 'policies/lab-profile.yaml']);
    if (up.status !== 0) throw new Error(`lab up failed: ${up.stderr}`);
    lab(['apply', '--name', seedName, '-f', 'policies/networkpolicy']);
    const seed = { cells: '4 × 4', ...timeTests(seedName, 'policies/expectations.yaml', 2000, 5, 'both') };
    lab(['down', '--name', seedName]);

    const paths = syntheticLab(dir, 20);
    const synUp = lab(['up', '--name', synName, '-f', paths.manifests]);
    if (synUp.status !== 0) throw new Error(`lab up failed: ${synUp.stderr}`);
    // Every cell allowed (no policy yet): the window's worst case, since no cell waits for a timeout anyway.
    const settleAllAllowed = settleSideBySide(synName, paths.test, paths.testSettleOff, 1000, 5);
    lab(['apply', '--name', synName, '-f', paths.policies]);
    const settleHalfDropped = settleSideBySide(synName, paths.test, paths.testSettleOff, 1000, 5);
    const synthetic = {
      cells: '20 × 20, half dropped',
      labUpMs: Math.round(synUp.wallMs),
      ...timeTests(synName, paths.test, 1000, 5, 'policies'),
    };
    return {
      seed,
      synthetic,
      settle: { cells: '20 × 20', allAllowed: settleAllAllowed, halfDropped: settleHalfDropped },
      ...more?.(synName, paths),
    };
  } finally {
    lab(['down', '--name', seedName]);
    lab(['down', '--name', synName]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(`${JSON.stringify(await benchLab(), null, 2)}\n`);
}
