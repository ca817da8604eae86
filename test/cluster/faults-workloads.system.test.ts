// Faults of the workloads in cluster mode — a source with no Ready pod, a target Service with no ready
// endpoints: their cells are errors with the reason (exit 2), never denies, and the rest still runs.
// The Kubernetes API server is a fake (there is no cluster on these machines); the agents are the real
// `prober agent`. Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents and
// faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, LAB_TEST, labRunArgs, runLab } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const cellsOf = (stdout: string, from: string): Json[] =>
  (JSON.parse(stdout) as Json).cells.filter((c: Json) => c.from === from);

t.test('a source whose pods are not Ready: its cells are errors naming the pod (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.addPod({ namespace: 'e-batch', name: 'batch-5d8f-q7w2e', labels: { app: 'batch' }, ready: false });
  const test =
    LAB_TEST.replace('  targets:', '    batch: { namespace: e-batch, selector: { app: batch } }\n  targets:') +
    '    - { from: batch, to: "*", verdict: deny }\n';
  const run = await runProber(labRunArgs(lab, lab.testFile(test)));
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(
    report.sources.find((s: Json) => s.name === 'batch').error,
    'no Ready pod matches selector app=batch in namespace e-batch; found 1: batch-5d8f-q7w2e (Running: ContainersNotReady)',
  );
  t.ok(cellsOf(run.stdout, 'batch').every((c) => c.result === 'error' && c.reason === 'source'));
  t.ok(
    cellsOf(run.stdout, 'apache').every((c) => c.result === 'pass'),
    'the other sources still ran',
  );
  t.same(
    lab.fake.pod('e-batch', 'batch-5d8f-q7w2e')?.spec.ephemeralContainers,
    undefined,
    'nothing added to the unready pod',
  );
});

t.test('a target Service without ready endpoints: its cells are errors, never denies (exit 2)', async (t) => {
  const lab = await clusterLab(t, { redisReady: false });
  await lab.stopRedis();
  const run = await runLab(lab);
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  const redisCells = report.cells.filter((c: Json) => c.to === 'redis');
  t.equal(redisCells.length, 2);
  for (const cell of redisCells)
    t.match(cell, {
      observed: 'error',
      reason: 'target-down',
      result: 'error',
      detail: /^Service d-redis\/redis-svc has no ready endpoints \(1 not ready\); saw (timeout|refused)/,
    });
  t.notOk(report.targets.find((x: Json) => x.name === 'redis').alive);
  t.ok(report.cells.filter((c: Json) => c.to === 'app').every((c: Json) => c.result === 'pass'));
});
