// A probe pod with a classic sidecar probes only once its proxy is ready; a proxy that never gets ready
// makes its source an error, never a deny. The fake cluster's mesh (test/cluster/fake/mesh.ts) captures
// the pod's outbound TCP before its proxy is ready, as istio-init's rules do; the Kubernetes API is the
// fake's, the agents, the capture (nftables NAT) and the network are real.

import t, { type Test } from 'tap';
import { clusterLab, runLab } from './fake/lab.ts';
import { injectedWorkload } from './fake/mesh.ts';

type Json = Record<string, any>;

/** The lab with the Apache namespace labelled for injection and its source pod injected. */
async function meshedLab(t: Test) {
  const lab = await clusterLab(t);
  lab.fake.mesh.enableInjection('b-apacherr');
  injectedWorkload(lab.fake.pod('b-apacherr', 'apacherr-6c9f7d-x2x4q') as Json);
  return lab;
}

const runPod = (lab: Awaited<ReturnType<typeof clusterLab>>, ...extra: string[]) =>
  runLab(lab, '--agent=pod', ...extra);

t.test(
  'a classic sidecar captures traffic before it is ready: the agent waits for it, no false deny (exit 0)',
  async (t) => {
    const lab = await meshedLab(t);
    lab.fake.mesh.readyAfterMs = 1000;
    const run = await runPod(lab);
    t.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    t.match(report.summary, { pass: 4, fail: 0, error: 0 });
    t.match(
      report.cells.find((c: Json) => c.from === 'apache' && c.to === 'app'),
      { observed: 'allow', result: 'pass' },
      'probed through the ready proxy, not into the capture',
    );
  },
);

t.test('a proxy that never becomes ready fails its source as an error, never as a deny (exit 2)', async (t) => {
  const lab = await meshedLab(t);
  lab.fake.mesh.readyAfterMs = Number.POSITIVE_INFINITY;
  // The agent waits for the proxy half of --agent-timeout (at most a minute): 20 s here.
  const run = await runPod(lab, '--agent-timeout', '40s');
  t.equal(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  const apache = report.sources.find((s: Json) => s.name === 'apache');
  t.equal(
    apache.error,
    'the Istio sidecar proxy was not ready within 20s (http://127.0.0.1:15021/healthz/ready: HTTP 503); no probe was sent, since each would have failed as a false deny',
  );
  t.ok(
    report.cells.filter((c: Json) => c.from === 'apache').every((c: Json) => c.result === 'error'),
    'no deny',
  );
  t.same(lab.fake.probePods(), [], 'nothing left behind');
});
