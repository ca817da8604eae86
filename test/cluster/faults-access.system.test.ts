// Access faults in cluster mode — a verb RBAC denies, no API server to reach at all: one clear reason
// naming what is missing, exit 2 (and with --agent=pod, the run the denied verb blocked).
// The Kubernetes API server is a fake (there is no cluster on these machines); the agents are the real
// `prober agent`. Cluster-mode faults, one file per kind: faults-access, faults-api-errors, faults-agents and
// faults-workloads (.test.ts).

import t from 'tap';
import { closedPort } from '../helpers/peers.ts';
import { clusterLab, LAB_TEST, runLab } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const cellsOf = (stdout: string, from: string): Json[] =>
  (JSON.parse(stdout) as Json).cells.filter((c: Json) => c.from === from);

t.test(
  '403 on the ephemeral-container patch names the missing verb; --agent=pod then works (exit 2, then 0)',
  async (t) => {
    const lab = await clusterLab(t);
    lab.fake.deny('patch', 'pods/ephemeralcontainers', 'b-apacherr');
    const denied = await runLab(lab);
    t.equal(denied.code, 2, denied.stderr);
    const report = JSON.parse(denied.stdout) as Json;
    const apache = report.sources.find((s: Json) => s.name === 'apache');
    t.match(
      apache.error,
      /^forbidden: missing RBAC permission to patch pods\/ephemeralcontainers in namespace b-apacherr \(prober acts only in its source namespaces; add b-apacherr with: kubectl apply -n b-apacherr -k k8s\/prober\/source-namespace \(see "Add a source namespace" in docs\/cluster\.md\)\): pods "apacherr-6c9f7d-x2x4q" is forbidden: User "system:serviceaccount:prober:prober" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "b-apacherr"; or, if prober may create pods there, run with --agent=pod$/,
    );
    t.ok(
      cellsOf(denied.stdout, 'app').every((c) => c.result === 'pass'),
      'sources in other namespaces still ran',
    );

    const fallback = await runLab(lab, '--agent=pod');
    t.equal(fallback.code, 0, fallback.stderr);
    t.same(lab.fake.probePods(), [], 'nothing left behind');
  },
);

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
