// Lab benchmark: the synthetic 20 × 20 matrix probed over both IP families (each target `family: both`,
// twice the cells) against the same matrix as the names resolve (IPv4), side by side in one lab.
// `node bench/lab-dualstack.ts` runs it alone, in a synthetic lab of its own.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab, syntheticLab, timeTests } from './lab.ts';

/**
 * Alternates the IPv4-only and the dual-stack test `rounds` times in the lab `name` (up, with its
 * policies applied), so both see the same machine load, and returns both medians and their ratio.
 * The goal is a ratio ≤ 1.3: the families' probes run concurrently, and a denied cell waits one
 * timeout whichever family it is.
 */
export function benchDualStack(
  name: string,
  paths: { readonly test: string; readonly dualTest: string },
  timeoutMs: number,
  rounds: number,
): object {
  const ipv4: number[] = [];
  const dual: number[] = [];
  const summaries: { ipv4?: unknown; dual?: unknown } = {};
  for (let i = 0; i < rounds; i += 1) {
    const a = timeTests(name, paths.test, timeoutMs, 1, 'policies') as { matrixMedianMs: number; summary: unknown };
    const b = timeTests(name, paths.dualTest, timeoutMs, 1, 'policies') as { matrixMedianMs: number; summary: unknown };
    ipv4.push(a.matrixMedianMs);
    dual.push(b.matrixMedianMs);
    summaries.ipv4 = a.summary;
    summaries.dual = b.summary;
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    cells: { ipv4: '20 × 20, half dropped', dualStack: '20 × 40 (each target over IPv4 and IPv6), half dropped' },
    rounds,
    timeoutMs,
    ipv4: { matrixMedianMs: median(ipv4), summary: summaries.ipv4 },
    dualStack: { matrixMedianMs: median(dual), summary: summaries.dual },
    ratioDualToIpv4: round(median(dual) / median(ipv4)),
    ratioDualToTimeout: round(median(dual) / timeoutMs),
    targetRatio: 1.3,
  };
}

if (process.argv[1] === import.meta.filename) {
  const name = `bench-dual-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-dual-'));
  try {
    const paths = syntheticLab(dir, 20);
    const up = lab(['up', '--name', name, '-f', paths.manifests]);
    if (up.status !== 0) throw new Error(`lab up failed: ${up.stderr}`);
    lab(['apply', '--name', name, '-f', paths.policies]);
    process.stdout.write(`${JSON.stringify(benchDualStack(name, paths, 1000, 5), null, 2)}\n`);
  } finally {
    lab(['down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
  }
}
