// `prober watch --cluster` (the built binary) against the in-process fake API server fronting the fake
// lab (test/cluster/fake/lab.ts: real Redis and a real app in network namespaces behind real nftables,
// whose kubelet runs real agents and serves pods/exec). What the fake does follows kube-apiserver, as
// its files say: the watch and its 410/bookmarks (apiserver pkg/storage/cacher/cacher.go), the status
// subresource (apiextensions-apiserver pkg/registry/customresource/strategy.go, status_strategy.go),
// 409 Conflict on a stale resourceVersion (apiserver pkg/registry/generic/registry/store.go), Events
// (pkg/apis/events/validation/validation.go), pods/exec (kubelet cri/streaming/remotecommand).
// client-node's ListWatch stops on a reset watch and hands the error over: the controller restarts it.

import t, { type Test } from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { RESIDENT_CONTAINER } from '../../src/cluster/resident-agent.ts';
import { startBinary } from '../helpers/prober.ts';
import { until, waitFor } from '../helpers/wait.ts';
import { renderKustomization } from '../k8s/manifests.ts';
import { APP_URL, type ClusterLab, clusterLab, proberRbac, REDIS_URL } from './fake/lab.ts';
import * as status from './fake/status.ts';

type Json = Record<string, any>;

const NS = 'tests';

/** The lab's test as a resource, run every second. */
function labResource(name: string, extra: Json = {}): Json {
  return {
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name, annotations: { 'prober.dev/interval': '1s' } },
    spec: {
      defaults: { timeout: '1s', attempts: 1 },
      sources: {
        apache: { namespace: 'b-apacherr', selector: { app: 'apacherr' } },
        app: { namespace: 'c-app-count', selector: { app: 'pythonapp' } },
      },
      targets: { app: { url: APP_URL }, redis: { url: REDIS_URL } },
      expect: [
        { name: 'case 1', from: 'apache', to: 'app', verdict: 'allow' },
        { name: 'case 2', from: 'apache', to: 'redis', verdict: 'deny' },
        { from: 'app', to: 'redis', verdict: 'allow' },
        { from: 'app', to: 'app', verdict: 'allow' },
      ],
      ...extra,
    },
  };
}

/** prober's RBAC as deployed for the watch: k8s/prober, the watch's ClusterRole, prober-resident in the source namespaces. */
function watchRbac(): Json[] {
  const rbacKinds = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
  const watch = renderKustomization('k8s/prober/watch')
    .objects.map((o) => o.object as Json)
    .filter((o) => rbacKinds.includes(o.kind));
  const resident = renderKustomization('k8s/prober/resident-namespace').objects.map((o) => o.object as Json);
  const inNamespaces = ['b-apacherr', 'c-app-count'].flatMap((namespace) =>
    resident.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } })),
  );
  return [...proberRbac(), ...watch, ...inNamespaces];
}

async function setUp(t: Test) {
  const lab = await clusterLab(t, { rbac: watchRbac() });
  lab.fake.addNamespace(NS);
  lab.fake.installCustomResource(reachabilityTestCrd());
  return lab;
}

/** The arguments the Deployment (k8s/prober/watch/watch-deployment.yaml) gives prober, listening on loopback here. */
function deploymentArgs(): string[] {
  const deployment = renderKustomization('k8s/prober/watch').objects.find((o) => o.object.kind === 'Deployment');
  if (!deployment) throw new Error('k8s/prober/watch has no Deployment');
  const [command, ...args] = (deployment.object as Json).spec.template.spec.containers[0].command as string[];
  if (command !== 'prober') throw new Error(`the Deployment runs ${command}, not prober`);
  return args.map((arg) => (arg === '0.0.0.0:9464' ? '127.0.0.1:0' : arg));
}

/** Starts the controller on a free port (the Deployment's own arguments, or `-v` and `--interval 1s`); resolves once it serves. */
async function startWatch(t: Test, lab: ClusterLab, args = ['-v', 'watch', '--cluster', '--listen', '127.0.0.1:0']) {
  const run = startBinary(t, [...args, '--kubeconfig', lab.fake.kubeconfig]);
  const url = await until(
    'the controller serving',
    () => /metrics on (http:\S+)\/metrics/.exec(run.output.stderr)?.[1],
  );
  const metrics = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
  return { run, url, metrics };
}

/** Creates a resource as its owner would (the controller's account may not). */
const create = (lab: ClusterLab, resource: Json): void => {
  lab.fake.custom.resources('reachabilitytests').create(NS, resource, null);
};
const stored = (lab: ClusterLab, name: string): Json | undefined => {
  try {
    return lab.fake.custom.resources('reachabilitytests').get(NS, name) as Json;
  } catch {
    return undefined;
  }
};
const verdictOf = (lab: ClusterLab, name: string): string | undefined => stored(lab, name)?.status?.verdict;
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const cell = (source: string, target: string) => `test="${NS}/lab",source="${source}",target="${target}",family="any"`;

/** How many status writes of a test the API server took: one per run of it. */
const statusWrites = (lab: ClusterLab, name: string): number =>
  lab.fake.seen('update', 'reachabilitytests/status').filter((r) => r.name === name && r.code === 200).length;

/** Opens Redis to every source: the policy the lab's nftables enforce, removed by hand. */
const openRedis = (lab: ClusterLab): void => lab.pair.nft(lab.pair.server, 'flush chain inet prober_lab input');
const closeRedis = (lab: ClusterLab): void =>
  lab.pair.nft(lab.pair.server, `add rule inet prober_lab input tcp dport 6379 ip saddr != ${lab.pair.serverIp} drop`);

t.test(
  'a resource is watched: Matched, Drifted on a policy change, Matched again; restart keeps history',
  async (t) => {
    const lab = await setUp(t);
    let watch = await startWatch(t, lab);
    create(lab, labResource('lab'));
    await waitFor('status Matched', () => verdictOf(lab, 'lab') === 'Matched', 20_000);
    t.match(stored(lab, 'lab')!.status, {
      verdict: 'Matched',
      cells: { total: 4, matched: 4, mismatched: 0, undecided: 0, off: 0 },
      conditions: [{ type: 'Matched', status: 'True', reason: 'AllCellsMatched' }],
      lastRun: { outcome: 'Completed' },
    });

    const writes = statusWrites(lab, 'lab');
    const changed = Date.now();
    openRedis(lab);
    await waitFor('status Drifted', () => verdictOf(lab, 'lab') === 'Drifted', 10_000, 10);
    const detectedMs = Date.now() - changed;
    const drifted = stored(lab, 'lab')!.status;
    // Counted in runs (a loaded machine stretches the milliseconds): the run in flight at the change may
    // still report Matched; the next one must see the drift.
    const runs = statusWrites(lab, 'lab') - writes;
    t.ok(runs >= 1 && runs <= 2, `the drift is in the status within two runs (${runs}, ${detectedMs} ms)`);
    t.match(drifted.offCells, [{ source: 'apache', target: 'redis', state: 'mismatched', reason: /^allow/ }]);
    t.match(drifted.flips, [{ source: 'apache', target: 'redis', from: 'matched', to: 'mismatched' }]);
    t.match(drifted.conditions, [
      { type: 'Matched', status: 'False' },
      { type: 'Drifted', status: 'True' },
    ]);
    // The Event follows the status write.
    const events = await until(
      'the Event',
      () => lab.fake.custom.events.list(NS).length > 0 && lab.fake.custom.events.list(NS),
    );
    t.match(events, [
      {
        reason: 'Drifted',
        type: 'Warning',
        note: /^apache → redis \(any\): matched → mismatched/,
        regarding: { kind: 'ReachabilityTest', name: 'lab' },
      },
    ]);
    const text = await until('the flip in the metrics', async () => {
      const m = await watch.metrics();
      return sample(m, `prober_cell_flips_total{${cell('apache', 'redis')}}`) === 1 ? m : undefined;
    });
    t.equal(sample(text, `prober_cell_result{${cell('apache', 'redis')},result="mismatched"}`), 1);
    t.equal(sample(text, `prober_cell_result{${cell('apache', 'app')},result="matched"}`), 1);

    closeRedis(lab);
    await waitFor('Matched again', () => verdictOf(lab, 'lab') === 'Matched', 10_000, 10);
    t.equal(stored(lab, 'lab')!.status.flips.length, 2, 'both flips in the history');

    await waitFor('several runs', () => lab.fake.seen('get', 'pods/exec').length >= 10, 20_000);
    for (const [namespace, name] of [
      ['b-apacherr', 'apacherr-6c9f7d-x2x4q'],
      ['c-app-count', 'app-count-7f8b9-abcde'],
    ] as const) {
      const pod = lab.fake.pod(namespace, name) as Json;
      t.same(
        (pod.spec.ephemeralContainers ?? []).map((c: Json) => c.name),
        [RESIDENT_CONTAINER],
        `${namespace}: exactly one resident container after ${lab.fake.seen('get', 'pods/exec').length} execs`,
      );
    }
    t.ok(lab.fake.seen('get', 'pods/exec').length >= 6, 'the plans went over pods/exec, run after run');

    const stopping = Date.now();
    watch.run.child.kill('SIGTERM');
    const exit = await watch.run.exited;
    t.equal(exit.code, 0, 'SIGTERM: exit 0');
    t.ok(Date.now() - stopping < 1000, `stopped within a second (${Date.now() - stopping} ms)`);

    const before = stored(lab, 'lab')!.status;
    watch = await startWatch(t, lab);
    await waitFor(
      'a run by the new controller',
      () => stored(lab, 'lab')!.status.lastRun.startTime !== before.lastRun.startTime,
      10_000,
    );
    openRedis(lab);
    await waitFor('Drifted after the restart', () => verdictOf(lab, 'lab') === 'Drifted', 10_000, 10);
    t.same(
      stored(lab, 'lab')!.status.flips.map((f: Json) => `${f.from}→${f.to}`),
      ['matched→mismatched', 'mismatched→matched', 'matched→mismatched'],
      'the restarted controller continued the history the status held',
    );
    watch.run.child.kill('SIGTERM');
    t.equal((await watch.run.exited).code, 0);
  },
);

t.test('a dropped watch, a 409 on status, a refused test and a deleted one are survived', async (t) => {
  const lab = await setUp(t);
  // As deployed: the Deployment's arguments (its 30 s default interval; the resources say 1 s).
  const watch = await startWatch(t, lab, deploymentArgs());
  t.equal((await fetch(`${watch.url}/healthz`)).status, 200, '/healthz answers while watching');
  create(lab, labResource('lab'));
  await waitFor('status Matched', () => verdictOf(lab, 'lab') === 'Matched', 20_000);

  lab.fake.answerNext('update', 'reachabilitytests/status', () =>
    status.conflict('reachabilitytests.prober.dev', 'lab'),
  );
  const written = lab.fake.seen('update', 'reachabilitytests/status').length;
  t.pass('a 409 is coming on the next status write');
  await waitFor('a 409 and the write after it', () =>
    lab.fake
      .seen('update', 'reachabilitytests/status')
      .slice(written)
      .map((r) => r.code)
      .join()
      .startsWith('409,200'),
  );

  await waitFor('the watch open', () => lab.fake.custom.resources('reachabilitytests').cache.watching === 1);
  lab.fake.custom.dropWatches('reachabilitytests', true);
  create(
    lab,
    labResource('checked', {
      checks: { limit: { rateLimit: { from: 'apache', to: 'app', limit: '10/s', burst: 20 } } },
    }),
  );
  await waitFor('the refused test: Failed', () => verdictOf(lab, 'checked') === 'Failed', 15_000);
  const refused = stored(lab, 'checked')!.status;
  t.match(refused.conditions, [{ type: 'Matched', status: 'Unknown', reason: 'RunFailed' }]);
  t.match(
    refused.lastRun.message,
    /^ReachabilityTest tests\/checked: spec\.checks\.limit: prober watch cannot run rate-limit checks/,
  );
  t.match(await watch.metrics(), /prober_errors_total\{kind="api"\} [1-9]/, 'the reset watch counted');
  t.equal(verdictOf(lab, 'lab'), 'Matched', 'the other test goes on');

  // A changed spec counts from the next run: case 2 now expects an allow, which the lab still denies.
  // Counted in runs, not milliseconds (a loaded machine stretches both): of the status writes after the
  // change, the first may be the run that was in flight; the one after it must judge the new spec.
  const before = statusWrites(lab, 'lab');
  lab.fake.custom.resources('reachabilitytests').touch(NS, 'lab', (o) => {
    o.spec.expect[1].verdict = 'allow';
  });
  await waitFor('Drifted by the new expectation', () => verdictOf(lab, 'lab') === 'Drifted', 15_000, 10);
  const runs = statusWrites(lab, 'lab') - before;
  t.ok(runs >= 1 && runs <= 2, `in effect from the next run (${runs} run${runs === 1 ? '' : 's'} after the change)`);
  t.equal(stored(lab, 'lab')!.status.observedGeneration, 2, 'the status says which generation it judged');

  lab.fake.custom.resources('reachabilitytests').delete(NS, 'lab');
  await until("the deleted test's series gone", async () => !(await watch.metrics()).includes(`test="${NS}/lab"`));
  const failedRuns = async () =>
    Number(/prober_runs_total\{test="tests\/checked",outcome="failed"\} (\d+)/.exec(await watch.metrics())?.[1]);
  // A run in flight when the resource went finishes (its status write finds it gone): wait it out.
  const first = await failedRuns();
  await until('the run in flight over', async () => lab.fake.exec.liveProcesses === 0 && (await failedRuns()) > first);
  const execs = lab.fake.seen('get', 'pods/exec').length;
  const from = await failedRuns();
  await until('three more runs of the other test', async () => (await failedRuns()) >= from + 3, 10_000);
  t.equal(lab.fake.seen('get', 'pods/exec').length, execs, 'the deleted test is no longer run');

  watch.run.child.kill('SIGTERM');
  t.equal((await watch.run.exited).code, 0);
});
