// The cleanup safety nets of cluster mode (src/cluster/README.md): probe pods the run lost track of, or
// could not delete in time, are still gone when it ends. Fake API server, real agents.

import t from 'tap';
import { waitFor } from '../helpers/wait.ts';
import { clusterLab, labRunArgs, REDIS_URL } from './fake/lab.ts';
import { runProber, startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

// One source, so the order of API requests — and so which request a fault hits — is fixed.
const ONE_SOURCE = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: cleanup }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources:
    apache: { namespace: b-apacherr, selector: { app: apacherr } }
  targets:
    redis: { url: "${REDIS_URL}" }
  expect:
    - { from: apache, to: redis, verdict: deny }
`;

t.test(
  'a create whose answer was lost, then refused on retry, leaves no pod: the run-id sweep deletes it',
  async (t) => {
    const lab = await clusterLab(t);
    // The first create makes the pod but its answer never arrives; the retry is refused because of that
    // very pod (a quota counts it). The client never learns the pod exists: only the label sweep can.
    lab.fake.loseNextAnswer('create', 'pods', 504);
    lab.fake.failNext(
      'create',
      'pods',
      403,
      1,
      'pods "probe" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    );
    const run = await runProber(labRunArgs(lab, lab.testFile(ONE_SOURCE), '--agent=pod'));
    t.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    t.match(report.sources[0].error, /exceeded quota/);
    t.same(
      lab.fake.seen('create', 'pods').map((r) => r.code),
      [504, 403],
      'the pod was made by the first create',
    );
    const deleted = lab.fake.seen('delete', 'pods').filter((r) => r.code === 200);
    t.equal(deleted.length, 1, 'one pod deleted');
    t.equal(deleted[0]?.namespace, 'b-apacherr');
    // Its agent may still be running: the pod is deleted gracefully (pods/strategy.go
    // CheckGracefulDelete) and may be Terminating when prober exits; it must go.
    t.ok(
      lab.fake.probePods().every((p) => p.metadata.deletionTimestamp),
      'deleted',
    );
    await waitFor('nothing left behind', () => lab.fake.probePods().length === 0);
  },
);

t.test('a probe pod whose delete failed during the run is deleted at its end, even when the sweep fails', async (t) => {
  const lab = await clusterLab(t);
  // The dropped Redis probe keeps the agent busy for its 5s timeout, time to arm the faults below.
  const prober = startProber(
    labRunArgs(lab, lab.testFile(ONE_SOURCE.replace('timeout: 1s', 'timeout: 5s')), '--agent=pod'),
  );
  await waitFor('the probe pod running', () => lab.fake.probePods().some((p) => p.status?.phase === 'Running'), 30_000);
  t.notOk(prober.done(), 'the agent was still running when the faults were armed');
  // Every attempt of the delete right after the agent finished fails (the client tries four times), and
  // so does every attempt to list the namespace's pods by run id: only the pods the run remembers are left.
  lab.fake.failNext('delete', 'pods', 500, 4);
  lab.fake.failNext('list', 'pods', 500, 4);
  const run = await prober.exited;
  t.equal(run.code, 0, run.stderr);
  t.same(
    lab.fake.seen('delete', 'pods').map((r) => r.code),
    [500, 500, 500, 500, 200],
    'deleted at the end, after the in-run delete gave up',
  );
  t.match(run.stderr, /could not look for leftover probe pods in b-apacherr \(label prober\.dev\/run-id=/);
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});
