// API server errors in cluster mode — 500 and 503 answers are retried and the run still succeeds (exit 0);
// the text of those errors reaches the terminal only escaped.
// The Kubernetes API server is a fake (there is no cluster on these machines); the agents are the real
// `prober agent`. Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents and
// faults-workloads (.test.ts).

import t from 'tap';
import { clusterLab, runLab } from './fake/lab.ts';

t.test('API 500/503 answers are retried and the run still succeeds (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.failNext('patch', 'pods/ephemeralcontainers', 500);
  lab.fake.failNext('list', 'pods', 503);
  lab.fake.failNext('get', 'pods/log', 500);
  const run = await runLab(lab);
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
  const run = await runLab(lab);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, /etcd says \\x1b\[2J\\x1b\[Hall clear\\u202e/, 'the retried error is shown, escaped');
  t.notMatch(run.stderr, /[\u001b\u202e]/, 'no raw control character on stderr');
});
