// The zone-affinity check's added wall time in the lab (goal: ≤ 2 s for 10 source pods × 1,000
// requests): the whole `prober lab test` of the Pippo/Paperino example (examples/zone-affinity/), with
// and without one affinity check of 1,000 requests from each of the 10 Pippo pods, run in turns and
// compared by their medians. Run alone with `node bench/affinity.ts` as root (needs `dist/prober`);
// part of `npm run bench`.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './command.ts';
import { lab } from './lab.ts';

const REQUESTS = 1000;
const RUNS = 5;
const EXAMPLE = join(ROOT, 'examples', 'zone-affinity');

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Wall times of `lab test` without and with the check, the added time, and the check's verdict. */
export function benchAffinity(): object {
  const name = `bench-aff-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-affinity-'));
  try {
    const up = lab(['up', '--name', name, '-f', EXAMPLE]);
    if (up.status !== 0) return { skipped: `lab up failed: ${up.stderr.trim().split('\n').pop()}` };
    const head = readFileSync(join(EXAMPLE, 'expectations.yaml'), 'utf8').split('  checks:\n')[0] ?? '';
    const without = join(dir, 'without.yaml');
    const withCheck = join(dir, 'with.yaml');
    writeFileSync(without, head);
    writeFileSync(
      withCheck,
      `${head}  checks:\n    same-zone:\n      affinity: { from: pippo, to: paperino, requests: ${REQUESTS} }\n`,
    );
    const plain: number[] = [];
    const checked: number[] = [];
    let verdict = '';
    for (let run = 0; run < RUNS; run++) {
      const a = lab(['test', '--name', name, '-f', without, '-o', 'json']);
      if (a.status !== 0) return { skipped: `lab test without the check exited ${a.status}` };
      plain.push(a.wallMs);
      const b = lab(['test', '--name', name, '-f', withCheck, '-o', 'json']);
      const report = JSON.parse(b.stdout) as { checks?: { verdict: string }[] };
      verdict = report.checks?.[0]?.verdict ?? `exit ${b.status}`;
      checked.push(b.wallMs);
    }
    const addedMs = Math.round(median(checked) - median(plain));
    return {
      what: `lab test of examples/zone-affinity, without and with an affinity check of 10 pods × ${REQUESTS} requests`,
      runs: RUNS,
      withoutMs: plain.map(Math.round),
      withMs: checked.map(Math.round),
      addedMedianMs: addedMs,
      goalMs: 2000,
      met: addedMs <= 2000,
      verdict,
    };
  } finally {
    lab(['down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(benchAffinity(), null, 2)}\n`);
