// `prober run` end to end against the seed's lab. The Kubernetes API server is a fake (there is no cluster
// on these machines): it serves client-node over real HTTPS and runs each agent as the real `prober agent`
// in the pod's network namespace, so every cell is a real probe through real nftables filtering.

import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { clusterLab, LAB_TEST, labRunArgs, runLab } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

t.test(
  'the lab passes with ephemeral agents: case 1 allowed, case 2 denied, the app reaches Redis (exit 0)',
  async (t) => {
    const lab = await clusterLab(t);
    const run = await runLab(lab);
    t.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    t.same(report.summary, { cells: 4, checked: 4, pass: 4, fail: 0, error: 0, unchecked: 0 });
    t.match(report.metadata, { backend: 'cluster', context: `fake (${lab.fake.url})` });
    t.same(
      report.sources.map((s: Json) => [s.name, s.namespace, s.pod]),
      [
        ['apache', 'b-apacherr', 'apacherr-6c9f7d-x2x4q'],
        ['app', 'c-app-count', 'app-count-7f8b9-abcde'],
      ],
    );
    const cell = (from: string, to: string): Json => report.cells.find((c: Json) => c.from === from && c.to === to);
    t.match(
      cell('apache', 'redis'),
      { observed: 'deny', reason: 'timeout', rule: 'case 2', result: 'pass' },
      'case 2: the nftables drop is a timeout',
    );
    t.match(cell('apache', 'app'), { observed: 'allow', reason: 'http-200', rule: 'case 1' });
    t.match(cell('app', 'redis'), { observed: 'allow', reason: 'pong' }, 'a real Redis PONG');
    // Trust rule 2 from the API: the deny is trusted because the Service has ready endpoints.
    t.equal(
      report.targets.find((x: Json) => x.name === 'redis').alive,
      'endpoints ready: 1 (Service d-redis/redis-svc)',
    );

    // The agent ran as an ephemeral container added by strategic merge patch, with least privilege.
    const patches = lab.fake.seen('patch', 'pods/ephemeralcontainers');
    t.equal(patches.length, 2);
    t.ok(patches.every((p) => p.contentType === 'application/strategic-merge-patch+json' && p.code === 200));
    const [agent] = (lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q')?.spec.ephemeralContainers ?? []) as Json[];
    t.match(agent, {
      name: /^prober-[a-z0-9]+-0$/,
      image: 'ghcr.io/prober-dev/prober:0.1.0',
      command: ['prober', 'agent'],
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
    });
    // The plan travels compressed (gzip + base64): little stays behind in the pod's spec.
    const plan = JSON.parse(
      gunzipSync(Buffer.from(agent?.env.find((e: Json) => e.name === 'PROBER_PLAN_GZ').value, 'base64')).toString(),
    );
    t.match(plan, { kind: 'ProbePlan', source: 'apache', defaults: { timeoutMs: 1000, attempts: 1 } });
    t.same(lab.fake.probePods(), [], 'no probe pods in ephemeral mode');
    t.equal(lab.fake.kubelet.liveProcesses, 0, 'every agent finished');
    t.equal(lab.fake.kubelet.maxRunning, 2, 'both sources probed at the same time');
  },
);

t.test('--parallel 1 runs one agent at a time', async (t) => {
  const lab = await clusterLab(t);
  const run = await runLab(lab, '--parallel', '1');
  t.equal(run.code, 0, run.stderr);
  t.equal(lab.fake.kubelet.maxRunning, 1);
  t.equal(lab.fake.seen('patch', 'pods/ephemeralcontainers').length, 2);
});

t.test('an expectation the network contradicts is a mismatch (exit 1)', async (t) => {
  const lab = await clusterLab(t);
  const wrong = LAB_TEST.replace(
    '{ name: "case 2", from: apache, to: redis, verdict: deny }',
    '{ name: "case 2", from: apache, to: redis, verdict: allow }',
  );
  const run = await runProber(labRunArgs(lab, lab.testFile(wrong)));
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(report.summary, { pass: 3, fail: 1, error: 0 });
  t.match(
    report.cells.find((c: Json) => c.result === 'fail'),
    { from: 'apache', to: 'redis', expected: 'allow', observed: 'deny', reason: 'timeout' },
  );
});

t.test('--agent=pod: probe pods with the source identity, never Ready, deleted afterwards (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(report.summary, { pass: 4, error: 0 });
  const created = lab.fake.seen('create', 'pods');
  t.equal(created.length, 2);
  const deleted = lab.fake
    .seen('delete', 'pods')
    .filter((r) => r.code === 200)
    .map((r) => r.name)
    .sort();
  t.match(deleted, [/^prober-apache-[a-z0-9]+$/, /^prober-app-[a-z0-9]+$/], 'every probe pod deleted');
  t.same(lab.fake.probePods(), [], 'nothing left behind');
  t.same(lab.fake.everReady, [], 'no probe pod ever became Ready');
  t.match(report.sources[0].pod, /^prober-apache-[a-z0-9]+$/);
  t.equal(lab.fake.seen('patch', 'pods/ephemeralcontainers').length, 0);
});

t.test(
  'the single binary runs the lab through the bundled client-node; -n fills in a missing namespace (exit 0)',
  async (t) => {
    const lab = await clusterLab(t);
    const noNamespace = LAB_TEST.replace('apache: { namespace: b-apacherr, selector', 'apache: { selector');
    const run = await runProber(
      ['run', '-f', lab.testFile(noNamespace), '--kubeconfig', lab.fake.kubeconfig, '-n', 'b-apacherr', '--no-color'],
      { binary: requireBinary() },
    );
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, /lab-redis-isolation \(cluster: fake \(https:\/\/127\.0\.0\.1:\d+\)\)/);
    t.equal(lab.fake.seen('patch', 'pods/ephemeralcontainers').length, 2);
  },
);
