// Faults in cluster mode, each of which must end in exit 2 with a clear reason and nothing left behind.
// The Kubernetes API server is a fake (there is no cluster on these machines) that can deny RBAC verbs,
// fail requests, fail image pulls and kill agents; the agents themselves are the real `prober agent`.

import t from 'tap';
import { closedPort } from '../helpers/peers.ts';
import { waitFor } from '../helpers/wait.ts';
import { clusterLab, LAB_TEST } from './fake/lab.ts';
import { runProber, startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const cellsOf = (stdout: string, from: string): Json[] =>
  (JSON.parse(stdout) as Json).cells.filter((c: Json) => c.from === from);

t.test('a source whose pods are not Ready: its cells are errors naming the pod (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.addPod({ namespace: 'e-batch', name: 'batch-5d8f-q7w2e', labels: { app: 'batch' }, ready: false });
  const test =
    LAB_TEST.replace('  targets:', '    batch: { namespace: e-batch, selector: { app: batch } }\n  targets:') +
    '    - { from: batch, to: "*", verdict: deny }\n';
  const run = await runProber(['run', '-f', lab.testFile(test), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
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

for (const agent of ['ephemeral', 'pod'] as const) {
  t.test(`an agent image that cannot be pulled is a source error (--agent=${agent}, exit 2)`, async (t) => {
    const lab = await clusterLab(t);
    lab.fake.kubelet.images.set('registry.invalid/prober:nope', 'pull-error');
    const run = await runProber([
      'run',
      '-f',
      lab.testFile(LAB_TEST),
      '--kubeconfig',
      lab.fake.kubeconfig,
      `--agent=${agent}`,
      '--image',
      'registry.invalid/prober:nope',
      '-o',
      'json',
    ]);
    t.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    for (const source of report.sources)
      t.match(
        source.error,
        /^the agent image could not be pulled \(ImagePullBackOff: Back-off pulling image "registry\.invalid\/prober:nope"\)$/,
      );
    t.equal(report.summary.error, 4);
    t.same(lab.fake.probePods(), [], 'nothing left behind');
  });
}

t.test('an agent killed mid-plan (OOMKilled) gives no partial trust: its source errors (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.images.set('ghcr.io/prober-dev/prober:crashy', 'crash');
  const run = await runProber([
    'run',
    '-f',
    lab.testFile(LAB_TEST),
    '--kubeconfig',
    lab.fake.kubeconfig,
    '--image',
    'ghcr.io/prober-dev/prober:crashy',
    '-o',
    'json',
  ]);
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  for (const source of report.sources)
    t.match(
      source.error,
      /^the agent stopped before finishing \(exit code 137, OOMKilled; 1 of its results arrived\)/,
      source.name,
    );
  t.ok(report.cells.every((c: Json) => c.result === 'error'));
});

t.test('an agent that never starts hits --agent-timeout; its probe pod is deleted (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.kubelet.images.set('ghcr.io/prober-dev/prober:stuck', 'slow-start');
  const started = Date.now();
  const run = await runProber([
    'run',
    '-f',
    lab.testFile(LAB_TEST),
    '--kubeconfig',
    lab.fake.kubeconfig,
    '--agent=pod',
    '--agent-timeout',
    '2s',
    '--image',
    'ghcr.io/prober-dev/prober:stuck',
    '-o',
    'json',
  ]);
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  for (const source of report.sources)
    t.equal(source.error, 'the agent did not finish in time (--agent-timeout); last state: waiting: ContainerCreating');
  t.ok(Date.now() - started < 20_000, 'the deadline was kept');
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});

t.test(
  '403 on the ephemeral-container patch names the missing verb; --agent=pod then works (exit 2, then 0)',
  async (t) => {
    const lab = await clusterLab(t);
    lab.fake.deny('patch', 'pods/ephemeralcontainers', 'b-apacherr');
    const denied = await runProber([
      'run',
      '-f',
      lab.testFile(LAB_TEST),
      '--kubeconfig',
      lab.fake.kubeconfig,
      '-o',
      'json',
    ]);
    t.equal(denied.code, 2, denied.stderr);
    const report = JSON.parse(denied.stdout) as Json;
    const apache = report.sources.find((s: Json) => s.name === 'apache');
    t.match(
      apache.error,
      /^forbidden: missing RBAC permission to patch pods\/ephemeralcontainers in namespace b-apacherr \(prober acts only in its source namespaces; add b-apacherr with: kubectl apply -n b-apacherr -k k8s\/prober\/source-namespace \(see "Add a source namespace" in README\.md\)\): pods "apacherr-6c9f7d-x2x4q" is forbidden: User "system:serviceaccount:prober:prober" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "b-apacherr"; or, if prober may create pods there, run with --agent=pod$/,
    );
    t.ok(
      cellsOf(denied.stdout, 'app').every((c) => c.result === 'pass'),
      'sources in other namespaces still ran',
    );

    const fallback = await runProber([
      'run',
      '-f',
      lab.testFile(LAB_TEST),
      '--kubeconfig',
      lab.fake.kubeconfig,
      '--agent=pod',
      '-o',
      'json',
    ]);
    t.equal(fallback.code, 0, fallback.stderr);
    t.same(lab.fake.probePods(), [], 'nothing left behind');
  },
);

t.test('API 500/503 answers are retried and the run still succeeds (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.failNext('patch', 'pods/ephemeralcontainers', 500);
  lab.fake.failNext('list', 'pods', 503);
  lab.fake.failNext('get', 'pods/log', 500);
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  t.same(
    lab.fake
      .seen('patch', 'pods/ephemeralcontainers')
      .map((r) => r.code)
      .sort(),
    [200, 200, 500],
  );
  t.match(
    run.stderr,
    /retrying addEphemeralContainer after attempt 1: add|retrying addEphemeralContainer after attempt 1/,
  );
  t.match(run.stderr, /Internal error occurred: etcdserver: request timed out/);
});

t.test('text from the API server in warnings is escaped before it reaches the terminal', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.failNext('get', 'pods/log', 500, 1, 'etcd says \u001b[2J\u001b[Hall clear\u202e');
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, /etcd says \\x1b\[2J\\x1b\[Hall clear\\u202e/, 'the retried error is shown, escaped');
  t.notMatch(run.stderr, /[\u001b\u202e]/, 'no raw control character on stderr');
});

t.test('a target Service without ready endpoints: its cells are errors, never denies (exit 2)', async (t) => {
  const lab = await clusterLab(t, { redisEndpointsReady: false });
  await lab.stopRedis();
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  const redisCells = report.cells.filter((c: Json) => c.to === 'redis');
  t.equal(redisCells.length, 2);
  for (const cell of redisCells)
    t.match(cell, {
      observed: 'error',
      reason: 'target-down',
      result: 'error',
      detail: /^Service d-redis\/redis-svc has no ready endpoints; saw (timeout|refused)/,
    });
  t.notOk(report.targets.find((x: Json) => x.name === 'redis').alive);
  t.ok(report.cells.filter((c: Json) => c.to === 'app').every((c: Json) => c.result === 'pass'));
});

t.test('SIGTERM mid-run deletes the probe pods and exits 2', async (t) => {
  const lab = await clusterLab(t);
  const slow = LAB_TEST.replace('timeout: 1s', 'timeout: 30s');
  const prober = startProber([
    'run',
    '-f',
    lab.testFile(slow),
    '--kubeconfig',
    lab.fake.kubeconfig,
    '--agent=pod',
    '-o',
    'json',
  ]);
  await waitFor(
    'both agents running',
    () => lab.fake.probePods().filter((p) => p.status?.phase === 'Running').length === 2,
    20_000,
  );
  prober.child.kill('SIGTERM');
  const exit = await prober.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /SIGTERM received, cleaning up/);
  t.match(exit.stderr, /interrupted by SIGTERM; the report is incomplete/);
  t.same(lab.fake.probePods(), [], 'every probe pod deleted');
  t.equal(lab.fake.kubelet.liveProcesses, 0, 'and their agents stopped');
  const report = JSON.parse(exit.stdout) as Json;
  t.equal(report.exitCode, 2);
});

t.test('no way to reach a cluster: one clear line on stderr, exit 2, no report', async (t) => {
  const lab = await clusterLab(t);
  const file = lab.testFile(LAB_TEST);
  const none = await runProber(['run', '-f', file], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' } });
  t.equal(none.code, 2);
  t.equal(none.stdout, '');
  t.match(
    none.stderr,
    /^prober: no Kubernetes connection: not running in a pod with a service account, and no kubeconfig \(pass --kubeconfig, set \$KUBECONFIG, or create ~\/\.kube\/config\)\n$/,
  );

  const closed = lab.testFile(
    JSON.stringify(lab.fake.kubeconfigObject()).replace(new URL(lab.fake.url).port, String(await closedPort())),
  );
  const unreachable = await runProber(['run', '-f', file, '--kubeconfig', closed]);
  t.equal(unreachable.code, 2);
  t.equal(unreachable.stdout, '');
  t.match(
    unreachable.stderr,
    /prober: cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/,
  );
  t.same(lab.fake.requests, [], 'nothing reached the real (fake) server');
});
