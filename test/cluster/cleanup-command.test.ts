// `prober cleanup` against the fake API server: probe pods of one run or all runs are deleted (by the
// prober.dev/run-id label), per namespace or cluster-wide, a dry run deletes nothing, and the ephemeral
// agents prober added are listed per pod, since Kubernetes cannot delete an ephemeral container (the
// pods/ephemeralcontainers subresource only adds: pkg/registry/core/pod/strategy.go,
// podEphemeralContainersStrategy). RBAC is the shipped k8s/prober/ plus k8s/prober/cleanup/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { ROOT } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { proberRbac } from './fake/lab.ts';
import { runProberHere } from './fake/run-here.ts';

type Json = Record<string, any>;

/** k8s/prober/cleanup's ClusterRole, bound to prober's account as a person would bind it. */
function cleanupRbac(): Json[] {
  const role = parse(readFileSync(join(ROOT, 'k8s', 'prober', 'cleanup', 'prober-cleanup.yaml'), 'utf8')) as Json;
  return [
    role,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'prober-cleanup-ci' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prober-cleanup' },
      subjects: [{ kind: 'ServiceAccount', name: 'prober', namespace: 'prober' }],
    },
  ];
}

/** Two source namespaces: a workload pod holding agents of two runs (and a kubectl debug container), probe pods of both runs. */
async function leftovers(t: Test, rbac: Json[] = [...proberRbac(), ...cleanupRbac()]): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.enforceRbac(rbac);
  const web = fake.addPod({ namespace: 'b-apacherr', name: 'apacherr-1', labels: { app: 'apacherr' } }) as Json;
  web.spec.ephemeralContainers = [
    { name: 'prober-aaa111-0', image: 'prober' },
    { name: 'debugger-x2x4q', image: 'busybox' },
    { name: 'prober-bbb222-1', image: 'prober' },
  ];
  web.status.ephemeralContainerStatuses = [
    { name: 'prober-aaa111-0', state: { terminated: { exitCode: 0 } } },
    { name: 'prober-bbb222-1', state: { running: {} } },
  ];
  fake.addPod({ namespace: 'c-app-count', name: 'app-1', labels: { app: 'pythonapp' } });
  const probe = (namespace: string, name: string, runId: string, more: Json = {}) =>
    fake.addPod({
      namespace,
      name,
      labels: { app: 'x', 'app.kubernetes.io/managed-by': 'prober', 'prober.dev/run-id': runId },
      phase: 'Succeeded',
      ...more,
    });
  probe('b-apacherr', 'prober-aaa111-0', 'aaa111');
  probe('c-app-count', 'prober-aaa111-1', 'aaa111');
  probe('c-app-count', 'prober-bbb222-0', 'bbb222');
  probe('c-app-count', 'prober-bbb222-2', 'bbb222', { terminating: true, phase: 'Running' });
  return fake;
}

const cleanup = (fake: FakeApiServer, ...args: string[]) =>
  runProberHere(['cleanup', '--kubeconfig', fake.kubeconfig, ...args]);
const names = (fake: FakeApiServer): string[] =>
  fake.probePods().map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

t.test('--dry-run lists one run in one namespace and deletes nothing', async (t) => {
  const fake = await leftovers(t);
  const run = await cleanup(fake, '--run-id', 'aaa111', '-n', 'b-apacherr', '--dry-run', '-o', 'json');
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(report, { apiVersion: 'prober/v1alpha1', kind: 'CleanupReport', runId: 'aaa111', dryRun: true, exitCode: 0 });
  t.same(report.probePods, [
    { namespace: 'b-apacherr', name: 'prober-aaa111-0', runId: 'aaa111', action: 'would delete' },
  ]);
  t.same(report.ephemeralAgents, [
    {
      namespace: 'b-apacherr',
      pod: 'apacherr-1',
      agents: [{ name: 'prober-aaa111-0', runId: 'aaa111', state: 'terminated' }],
    },
  ]);
  t.same(fake.seen('delete', 'pods'), [], 'nothing deleted');
});

t.test('one run across the namespaces given: its probe pods go, the other run stays', async (t) => {
  const fake = await leftovers(t);
  const run = await cleanup(fake, '--run-id', 'aaa111', '-n', 'b-apacherr', '-n', 'c-app-count');
  t.equal(run.code, 0, run.stderr);
  t.same(names(fake), ['c-app-count/prober-bbb222-0', 'c-app-count/prober-bbb222-2']);
  t.match(run.stdout, /^prober cleanup of run aaa111 in namespace b-apacherr, c-app-count \(fake /);
  t.match(
    run.stdout,
    /\n {2}deleted {2}b-apacherr\/prober-aaa111-0 {2}run aaa111\n {2}deleted {2}c-app-count\/prober-aaa111-1 {2}run aaa111\n/,
  );
  t.match(
    run.stdout,
    /ephemeral agents \(1 in 1 pods; Kubernetes cannot remove an ephemeral container, it goes when the pod is replaced\):\n {2}b-apacherr\/apacherr-1 {2}prober-aaa111-0 \(terminated\)\n/,
  );
});

t.test('--all -A: every run everywhere, a terminating pod left to go, other containers not listed', async (t) => {
  const fake = await leftovers(t);
  const run = await cleanup(fake, '--all', '-A', '-o', 'json');
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.same(
    report.probePods.map((p: Json) => `${p.action} ${p.namespace}/${p.name}`),
    [
      'deleted b-apacherr/prober-aaa111-0',
      'deleted c-app-count/prober-aaa111-1',
      'deleted c-app-count/prober-bbb222-0',
      'terminating c-app-count/prober-bbb222-2',
    ],
  );
  t.same(
    report.ephemeralAgents[0].agents.map((a: Json) => `${a.name} ${a.state}`),
    ['prober-aaa111-0 terminated', 'prober-bbb222-1 running'],
  );
  t.same(report.namespaces, '*');
  t.same(
    fake.seen('list', 'pods').map((r) => r.namespace),
    [undefined],
    'one cluster-wide list',
  );
  t.same(names(fake), ['c-app-count/prober-bbb222-2']);
});

t.test('-A needs the ClusterRole prober-cleanup: without it, a 403 naming it, exit 2, nothing deleted', async (t) => {
  // prober-from-policies lists pods cluster-wide too (for expect: fromPolicies): left out here.
  const withoutFromPolicies = proberRbac().filter((o) => (o.metadata as Json).name !== 'prober-from-policies');
  const fake = await leftovers(t, withoutFromPolicies);
  const run = await cleanup(fake, '--all', '-A');
  t.equal(run.code, 2);
  t.match(
    run.stderr,
    /forbidden: missing RBAC permission to list pods cluster-wide \(grant it in the ClusterRole prober-cleanup \(k8s\/prober\/cleanup\/prober-cleanup\.yaml\)/,
  );
  t.same(fake.seen('delete', 'pods'), []);
  // Per namespace, the namespaces' own Roles are enough.
  t.equal((await cleanup(fake, '--all', '-n', 'b-apacherr')).code, 0);
});

t.test(
  'a pod that cannot be deleted or a namespace that cannot be listed: exit 2, the rest still cleaned',
  async (t) => {
    const fake = await leftovers(t);
    fake.deny('delete', 'pods', 'b-apacherr');
    fake.deny('list', 'pods', 'd-redis');
    const run = await cleanup(fake, '--all', '-n', 'b-apacherr', '-n', 'd-redis', '-n', 'c-app-count');
    t.equal(run.code, 2, run.stderr);
    t.match(run.stdout, /\n {2}failed {7}b-apacherr\/prober-aaa111-0 {2}run aaa111: forbidden/);
    t.match(run.stdout, /\nproblem: could not list pods in d-redis: forbidden/);
    t.same(names(fake), ['b-apacherr/prober-aaa111-0', 'c-app-count/prober-bbb222-2']);
  },
);

t.test('usage: one of --run-id and --all, -n or -A, a run id that could be a label value', async (t) => {
  const fake = await leftovers(t);
  const rows: [string[], string][] = [
    [[], 'prober: cleanup: name one run with --run-id ID, or every run with --all\n'],
    [['--all', '--run-id', 'aaa111'], 'prober: cleanup: name one run with --run-id ID, or every run with --all\n'],
    [['--all', '-A', '-n', 'x'], 'prober: cleanup: use -n or --all-namespaces, not both\n'],
  ];
  for (const [args, stderr] of rows) {
    const run = await cleanup(fake, ...args);
    t.equal(run.code, 2, args.join(' '));
    t.equal(run.stderr, stderr);
  }
  const bad = await cleanup(fake, '--run-id', 'A b');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--run-id: "A b" is not a run id/);
  t.same(fake.requests, [], 'nothing asked of the cluster');
});
