// The in-cluster watch's controller against the fake API server (`node bench/watch-controller.ts
// [RESOURCES] [RUNS]`): RESOURCES ReachabilityTests at a 1 s interval, a stub run returning a canned
// 16-cell matrix at once, until RUNS runs are done. Prints how far apart each resource's status
// writes landed (a run starts an interval after the previous one started, so the spread is the
// write's own latency), the overruns, and the CPU per run. A figure, not an assertion.

import { KubeConfig } from '@kubernetes/client-node';
import { reachabilityTestCrd } from '../k8s/prober/crd.ts';
import { testInformer, testResourceApi } from '../src/cluster/test-resources.ts';
import { WatchController } from '../src/orchestration/watch-controller.ts';
import { FakeApiServer } from '../test/cluster/fake/apiserver.ts';
import { call } from '../test/cluster/fake/http-client.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { cannedMatrix, sampleTest } from '../test/helpers/watch-fixtures.ts';

const resources = Number(process.argv[2] ?? 20);
const runs = Number(process.argv[3] ?? 200);
const teardowns: (() => unknown)[] = [];
const fake = await FakeApiServer.start({ teardown: (fn: () => unknown) => teardowns.push(fn) } as never);
try {
  fake.addNamespace('team');
  fake.installCustomResource(reachabilityTestCrd());
  const config = new KubeConfig();
  config.loadFromFile(fake.kubeconfig);
  for (let i = 0; i < resources; i++) {
    const test = sampleTest(`t${i}`);
    test.metadata.annotations = { 'prober.dev/interval': '1s' };
    await call(fake, 'POST', '/apis/prober.dev/v1alpha1/namespaces/team/reachabilitytests', test);
  }
  const matrix = cannedMatrix(['a', 'b', 'c', 'd'], ['w', 'x', 'y', 'z']);
  const controller = new WatchController({
    informer: testInformer(config, 'team'),
    api: testResourceApi(config),
    run: async () => matrix,
    defaultIntervalMs: 1000,
    instance: 'bench',
  });
  const cpu = process.cpuUsage();
  await controller.start();
  await waitFor(`${runs} runs`, () => controller.counts.runs >= runs, 10 * runs * 1000);
  await controller.stop();
  const used = process.cpuUsage(cpu);
  const writes = new Map<string, number[]>();
  for (const r of fake.seen('update', 'reachabilitytests/status'))
    writes.set(r.name ?? '', [...(writes.get(r.name ?? '') ?? []), r.at]);
  const gaps = [...writes.values()].flatMap((at) => at.slice(1).map((x, i) => x - at[i]!)).sort((a, b) => a - b);
  const pick = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * q))];
  const result = {
    resources,
    runs: controller.counts.runs,
    overruns: controller.counts.overruns,
    writeGapMs: { min: gaps[0], median: pick(0.5), p95: pick(0.95), max: gaps.at(-1) },
    cpuMsPerRun: Math.round((used.user + used.system) / 1000 / controller.counts.runs),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
