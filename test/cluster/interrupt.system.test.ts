// SIGINT during `prober run` (fake API server, real agents): every wait of the cluster backend — the
// agent pods it polls and the `local: true` sources it probes itself — ends at once; the probe pods
// are deleted, the partial report is printed and the exit is 2, long before the one-minute probe timeout.

import { createServer } from 'node:net';
import t from 'tap';
import { listen } from '../helpers/peers.ts';
import { waitFor } from '../helpers/wait.ts';
import { APP_URL, clusterLab, labRunArgs, REDIS_URL } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

t.test('SIGINT mid-run stops the agents and the local probes, deletes the probe pods and exits 2', async (t) => {
  const lab = await clusterLab(t);
  let open = 0;
  const silentPort = await listen(
    t,
    createServer((socket) => {
      open += 1;
      // Read (and ignore) what arrives, so the peer's close is seen.
      socket.on('error', () => undefined).resume();
      socket.once('close', () => (open -= 1));
    }),
  );
  // apache → redis is dropped by the lab's policy and `here` → silent never answers: both wait a minute.
  const test = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: cluster-interrupt }
spec:
  defaults: { timeout: 60s, attempts: 1 }
  sources:
    apache: { namespace: b-apacherr, selector: { app: apacherr } }
    here: { local: true }
  targets:
    app: { url: "${APP_URL}" }
    redis: { url: "${REDIS_URL}" }
    silent: { url: "redis://127.0.0.1:${silentPort}", liveness: none }
  expect:
    - { from: apache, to: redis, verdict: deny }
    - { from: here, to: silent, verdict: deny }
`;
  const prober = startProber(labRunArgs(lab, lab.testFile(test), '--agent=pod'));
  await waitFor(
    'the agent running and the local probe waiting',
    () => lab.fake.probePods().some((p) => p.status?.phase === 'Running') && open === 1,
    30_000,
  );
  prober.child.kill('SIGINT');
  await waitFor('prober run to exit long before the probe timeout', () => prober.done(), 20_000);
  const exit = await prober.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const report = JSON.parse(exit.stdout) as Json;
  const cell = (from: string, to: string) => (report.cells as Json[]).find((c) => c.from === from && c.to === to);
  t.match(
    cell('here', 'silent'),
    { result: 'error', observed: 'error', reason: 'interrupted' },
    'the local probe in flight is an error, not a deny',
  );
  t.match(
    cell('apache', 'redis'),
    { result: 'error', observed: 'error' },
    'the interrupted agent gives errors, not denies',
  );
  t.match(report.sources.find((s: Json) => s.name === 'apache').error, /^interrupted while the agent was /);
  // A running agent's pod is deleted gracefully (pods/strategy.go CheckGracefulDelete): it may still be
  // Terminating when prober exits, but prober must have deleted it, and it goes.
  t.ok(
    lab.fake.probePods().every((p) => p.metadata.deletionTimestamp),
    'every probe pod deleted',
  );
  await waitFor('the probe pods to go', () => lab.fake.probePods().length === 0);
});
