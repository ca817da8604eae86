// The settle window under a burst: thousands of tcp:// probes in flight against an L4 reject are all denies.
//
// With 4,096 connections in flight the agent's event loop runs late: a settle timer that is due fires
// in the timers phase, before the poll phase has read the FINs already waiting in the kernel. Deciding
// there called thousands of rejected connections `allow/connected` (7,288 of 8,192 here before the fix,
// latency about a second), so the window must wait for pending I/O before it says "silence".

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startHaproxy } from '../helpers/haproxy.ts';
import { proberCommand } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

/** Runs `prober agent --plan FILE` and returns its result lines. */
function agent(plan: string): Promise<{ status: number | null; results: { observed: string; reason: string }[] }> {
  const [command, ...lead] = proberCommand();
  const child = spawn(command, [...lead, 'agent', '--plan', plan], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) =>
    child.on('close', (status) => {
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      resolve({ status, results: lines.filter((line) => line.kind === 'ProbeResult') });
    }),
  );
}

t.test('8,192 probes at concurrency 4,096 against `tcp-request session reject`: no allow', async (t) => {
  const concurrency = 4096;
  // Room for every connection in flight, in HAProxy and in its listen backlog.
  const haproxy = await startHaproxy(t, ['tcp-request session reject'], undefined, concurrency + 512);
  const plan = join(tempDir(t, 'burst'), 'plan.json');
  const probes = Array.from({ length: 2 * concurrency }, (_, i) => ({
    id: `p${i}`,
    url: `tcp://127.0.0.1:${haproxy.port}`,
  }));
  writeFileSync(
    plan,
    JSON.stringify({
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'burst',
      defaults: { timeoutMs: 5000, attempts: 1, concurrency },
      probes,
    }),
  );
  const { status, results } = await agent(plan);
  t.equal(status, 0);
  t.equal(results.length, probes.length, 'a result for every probe');
  const counts: Record<string, number> = {};
  for (const r of results) counts[`${r.observed}/${r.reason}`] = (counts[`${r.observed}/${r.reason}`] ?? 0) + 1;
  t.same(
    Object.keys(counts).filter((k) => !k.startsWith('deny/')),
    [],
    `every probe a deny: ${JSON.stringify(counts)}`,
  );
});
