// `--as` / `--as-group` as kubectl sends them (client-go transport/round_trippers.go,
// ImpersonatingRoundTripper: one Impersonate-User header, one Impersonate-Group line per group), against
// a fake API server that checks them as upstream's impersonation filter does
// (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go, WithImpersonation and
// buildImpersonationRequests): each header needs `impersonate` for the sender, then the request is
// authorized as the user named, never as the sender. `--request-timeout` bounds each request.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { requestTimeoutFlag } from '../../src/cli/access-options.ts';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { ROOT } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { runProberHere } from './fake/run-here.ts';
import { silence } from './fake/transport-faults.ts';

type Json = Record<string, unknown>;

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

const binding = (name: string, role: string, subject: Json): Json => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [subject],
});

/** A ClusterRole granting `impersonate` on these resources, bound to the fake's own user (prober's account). */
function impersonator(resources: string[]): Json[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'impersonator' },
      rules: [{ apiGroups: [''], resources, verbs: ['impersonate'] }],
    },
    binding('impersonator', 'impersonator', { kind: 'ServiceAccount', name: 'prober', namespace: 'prober' }),
  ];
}

/** The shipped read-only simulate role, bound only to `subject`: prober's own account cannot read. */
function simulateFor(subject: Json): Json[] {
  const role = parse(readFileSync(join(ROOT, 'k8s', 'prober', 'simulate', 'prober-simulate.yaml'), 'utf8')) as Json;
  return [role, binding('simulate-for', 'prober-simulate', { apiGroup: 'rbac.authorization.k8s.io', ...subject })];
}

/** A fake with one pod; with `rbac`, authorizing as the RBAC authorizer does, else allowing everything. */
async function fakeCluster(t: Test, rbac?: Json[]): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  if (rbac) fake.enforceRbac(rbac);
  fake.addNamespace('web');
  fake.addPod({
    namespace: 'web',
    name: 'web-1',
    labels: { app: 'web' },
    ip: '10.0.0.5',
    ports: [{ containerPort: 80 }],
  });
  return fake;
}

const simulate = (fake: FakeApiServer, ...extra: string[]) =>
  runProberHere(['simulate', '--kubeconfig', fake.kubeconfig, '-o', 'json', ...extra]);

t.test('--as with --as-group: every request acts as the user, each group on its own header line', async (t) => {
  const fake = await fakeCluster(t, [
    ...impersonator(['users', 'groups']),
    ...simulateFor({ kind: 'User', name: 'alice' }),
  ]);
  const run = await simulate(fake, '--as', 'alice', '--as-group', 'viewers', '--as-group', 'auditors');
  t.equal(run.code, 0, run.stderr);
  const served = fake.requests.filter((r) => r.resource !== 'apis');
  t.ok(served.length > 0, 'the cluster was read');
  // Joined into one line ("viewers, auditors"), the API server would see one group of that name.
  t.same(
    [...new Set(fake.requests.map((r) => JSON.stringify(r.impersonated)))],
    [JSON.stringify({ user: 'alice', groups: ['viewers', 'auditors'] })],
  );
  // Without --as, prober's own account reads nothing: the role is alice's.
  const own = await simulate(fake);
  t.equal(own.code, 2);
  t.match(own.stderr, /forbidden: missing RBAC permission to list namespaces/);
});

t.test('groups count: a role bound to a group is reached only with --as-group', async (t) => {
  const fake = await fakeCluster(t, [
    ...impersonator(['users', 'groups']),
    ...simulateFor({ kind: 'Group', name: 'viewers' }),
  ]);
  t.equal((await simulate(fake, '--as', 'bob', '--as-group', 'viewers')).code, 0);
  const alone = await simulate(fake, '--as', 'bob');
  t.equal(alone.code, 2);
  t.match(alone.stderr, /forbidden: missing RBAC permission to list namespaces/);
  t.ok(
    fake.requests.some((r) => r.code === 403 && r.verb === 'list' && r.impersonated?.user === 'bob'),
    'refused as bob, not as prober',
  );
});

t.test(
  'impersonating without the impersonate verb is refused before the request, and says what --as needs',
  async (t) => {
    const fake = await fakeCluster(t, [...simulateFor({ kind: 'User', name: 'alice' })]);
    const run = await simulate(fake, '--as', 'alice');
    t.equal(run.code, 2);
    t.match(
      run.stderr,
      /^prober: .*forbidden: --as refused .*--as and --as-group need the impersonate verb on users, serviceaccounts, groups/,
    );
    t.match(run.stderr, /User "system:serviceaccount:prober:prober" cannot impersonate resource "users"/);
    t.equal(fake.requests.filter((r) => r.code === 200).length, 0, 'nothing served');
    // Users only: a group asked for as well is refused on its own.
    const users = await fakeCluster(t, [...impersonator(['users']), ...simulateFor({ kind: 'User', name: 'alice' })]);
    const group = await simulate(users, '--as', 'alice', '--as-group', 'admins');
    t.equal(group.code, 2);
    t.match(group.stderr, /cannot impersonate resource "groups"/);
    // A service account is impersonated through serviceaccounts in its namespace.
    const accounts = await fakeCluster(t, [
      ...impersonator(['users']),
      ...simulateFor({ kind: 'User', name: 'system:serviceaccount:ci:checker' }),
    ]);
    const sa = await simulate(accounts, '--as', 'system:serviceaccount:ci:checker');
    t.equal(sa.code, 2);
    t.match(sa.stderr, /cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ci"/);
  },
);

t.test('--as-group without --as is a usage error, as kubectl refuses it; nothing is asked', async (t) => {
  const fake = await fakeCluster(t, []);
  const run = await simulate(fake, '--as-group', 'viewers');
  t.equal(run.code, 2);
  t.equal(run.stderr, 'prober: --as-group needs --as: the API server refuses groups without impersonating a user\n');
  t.same(fake.requests, []);
  const noCluster = await runProberHere(['simulate', '-f', join(ROOT, 'policies', 'networkpolicy'), '--as', 'x']);
  t.equal(noCluster.code, 2);
  t.match(noCluster.stderr, /--as, --as-group and --request-timeout apply to a cluster read: add --cluster/);
});

t.test('the fake refuses groups without a user as upstream does (500), whatever RBAC says', async (t) => {
  const fake = await fakeCluster(t, []);
  const code = await new Promise<number>((resolve, reject) => {
    const req = request(`${fake.url}/api/v1/namespaces`, {
      ca: fake.caCertificate,
      headers: { authorization: `Bearer ${fake.token}`, 'impersonate-group': 'viewers' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(code, 500);
});

t.test('--request-timeout bounds each request; 0 (no deadline in kubectl) is refused', async (t) => {
  const fake = await fakeCluster(t);
  fake.answerRawNext('list', 'namespaces', silence);
  const api = clientNodeApi(
    connect({ kubeconfig: fake.kubeconfig, env: process.env, requestTimeoutMs: 1000 }),
    noRetry,
  );
  await t.rejects(api.listNamespaces(), { message: /no complete answer from the API server within 1 s/ });
  // Through the CLI: the silent answer is given up after a second and asked again.
  fake.answerRawNext('list', 'namespaces', silence);
  const run = await simulate(fake, '--cluster', '--request-timeout', '1s');
  t.equal(run.code, 0, run.stderr);
  t.equal(fake.seen('list', 'namespaces').length, 3, 'the silent one, then the answered one');
  for (const zero of ['0', '0s', '0m0s']) {
    const refused = await simulate(fake, '--request-timeout', zero);
    t.equal(refused.code, 2, zero);
    t.match(refused.stderr, `--request-timeout: "${zero}" means no deadline in kubectl; prober bounds every request`);
  }
  t.equal(requestTimeoutFlag('5'), 5000, 'a bare number is seconds, as clientcmd.ParseTimeout reads it');
  t.equal(requestTimeoutFlag('1m30s'), 90_000);
  t.throws(() => requestTimeoutFlag('11m'), {
    message: '--request-timeout: "11m" is out of range: a request timeout is from 1s to 10m',
  });
  t.throws(() => requestTimeoutFlag('soon'), { message: /"soon" is not a duration/ });
});
