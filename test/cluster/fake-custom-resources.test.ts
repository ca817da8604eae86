// The fake API server serves ReachabilityTests from k8s/prober/watch/crd.yaml as kube-apiserver serves a
// custom resource: the strategies of apiextensions-apiserver pkg/registry/customresource/strategy.go and
// status_strategy.go (create clears status, generation counts spec changes only, each of the resource and
// its status subresource ignores the other's part), the optimistic concurrency of apiserver
// pkg/registry/generic/registry/store.go (422 without a resourceVersion, 409 with a stale one), pruning
// and schema validation, and the authorizer for the resource and its subresource.

import t, { type Test } from 'tap';
import { reachabilityTestCrd } from '../../k8s/prober/crd.ts';
import { sampleTest } from '../helpers/watch-fixtures.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { call } from './fake/http-client.ts';

type Json = Record<string, any>;
const BASE = '/apis/prober.dev/v1alpha1/namespaces/team/reachabilitytests';

const STATUS = {
  verdict: 'Matched',
  observedGeneration: 1,
  lastRun: { startTime: '2026-12-07T15:00:00Z', outcome: 'Completed' },
};

async function started(t: Test): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('team');
  fake.installCustomResource(reachabilityTestCrd());
  return fake;
}

t.test('create clears status and starts at generation 1; get and list give it back', async (t) => {
  const fake = await started(t);
  const created = await call(fake, 'POST', BASE, sampleTest('a', { status: STATUS }));
  t.equal(created.code, 201);
  t.equal(created.body.metadata.generation, 1);
  t.notOk(created.body.status, 'status is cleared on create (the status subresource is enabled)');
  t.match(created.body.metadata, {
    namespace: 'team',
    uid: String,
    resourceVersion: /^\d+$/,
    creationTimestamp: String,
  });
  const got = await call(fake, 'GET', `${BASE}/a`);
  t.same(got.body, created.body);
  const list = await call(fake, 'GET', `${BASE}?labelSelector=team%3Da`);
  t.equal(list.body.kind, 'ReachabilityTestList');
  t.same(
    list.body.items.map((i: Json) => i.metadata.name),
    ['a'],
  );
  t.ok(Number(list.body.metadata.resourceVersion) >= Number(created.body.metadata.resourceVersion));
  t.equal((await call(fake, 'GET', `${BASE}?labelSelector=team%3Db`)).body.items.length, 0);
  t.equal((await call(fake, 'POST', BASE, sampleTest('a'))).code, 409, 'AlreadyExists');
  t.equal((await call(fake, 'GET', `${BASE}/nope`)).code, 404);
});

t.test(
  'a status write changes only status; a resource write ignores status; generation counts spec changes',
  async (t) => {
    const fake = await started(t);
    const created = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
    const statusPut = await call(fake, 'PUT', `${BASE}/a/status`, {
      ...created,
      spec: { ...created.spec, targets: { x: { url: 'tcp://x:1' } } },
      metadata: { ...created.metadata, labels: { team: 'b' } },
      status: STATUS,
    });
    t.equal(statusPut.code, 200);
    t.same(statusPut.body.status, STATUS, 'status written');
    t.same(statusPut.body.spec, created.spec, 'the spec change through /status is ignored');
    t.same(statusPut.body.metadata.labels, { team: 'a' }, 'so is a label change');
    t.equal(statusPut.body.metadata.generation, 1, 'a status write leaves generation');
    t.not(statusPut.body.metadata.resourceVersion, created.metadata.resourceVersion);

    const specPut = await call(fake, 'PUT', `${BASE}/a`, {
      ...statusPut.body,
      spec: { ...statusPut.body.spec, defaults: { attempts: 3 } },
      status: { verdict: 'Drifted' },
    });
    t.equal(specPut.code, 200);
    t.equal(specPut.body.metadata.generation, 2, 'a spec change bumps generation');
    t.same(specPut.body.status, STATUS, 'the status change through the resource is ignored');

    const labelPut = await call(fake, 'PUT', `${BASE}/a`, {
      ...specPut.body,
      metadata: { ...specPut.body.metadata, labels: { team: 'c' } },
    });
    t.equal(labelPut.body.metadata.generation, 2, 'a metadata change does not');
    t.same(labelPut.body.metadata.labels, { team: 'c' });

    const patched = await call(
      fake,
      'PATCH',
      `${BASE}/a/status`,
      { status: { verdict: 'Drifted' } },
      'application/merge-patch+json',
    );
    t.equal(patched.code, 200);
    t.equal(patched.body.status.verdict, 'Drifted');
    t.same(patched.body.status.lastRun, STATUS.lastRun, 'a merge patch keeps the rest');
    t.equal(patched.body.metadata.generation, 2);
    const specPatch = await call(
      fake,
      'PATCH',
      `${BASE}/a/status`,
      { spec: { expect: 'fromPolicies' } },
      'application/merge-patch+json',
    );
    t.same(specPatch.body.spec.expect, created.spec.expect, 'a spec patch through /status is ignored');
    t.equal((await call(fake, 'PATCH', `${BASE}/a/status`, { status: {} }, 'application/json')).code, 415);
  },
);

t.test('a stale resourceVersion is a 409 Conflict, a missing one a 422', async (t) => {
  const fake = await started(t);
  const created = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
  await call(fake, 'PUT', `${BASE}/a/status`, { ...created, status: STATUS });
  const stale = await call(fake, 'PUT', `${BASE}/a/status`, { ...created, status: { verdict: 'Drifted' } });
  t.equal(stale.code, 409);
  t.match(stale.body, {
    reason: 'Conflict',
    message:
      'Operation cannot be fulfilled on reachabilitytests.prober.dev "a": the object has been modified; please apply your changes to the latest version and try again',
    details: { name: 'a', group: 'prober.dev', kind: 'reachabilitytests' },
  });
  const { resourceVersion: _, ...bare } = created.metadata;
  const missing = await call(fake, 'PUT', `${BASE}/a`, { ...created, metadata: bare });
  t.equal(missing.code, 422);
  t.match(missing.body.message, /metadata\.resourceVersion.*must be specified for an update/);
  const stalePatch = await call(
    fake,
    'PATCH',
    `${BASE}/a/status`,
    { metadata: { resourceVersion: created.metadata.resourceVersion }, status: {} },
    'application/merge-patch+json',
  );
  t.equal(stalePatch.code, 409, 'a patch naming an old resourceVersion conflicts');
  // Another writer changes it in between: the next write with the old version conflicts.
  const before = (await call(fake, 'GET', `${BASE}/a`)).body;
  fake.custom.resources('reachabilitytests').touch('team', 'a', (o) => (o.metadata.labels = { team: 'z' }));
  t.equal((await call(fake, 'PUT', `${BASE}/a/status`, { ...before, status: STATUS })).code, 409);
});

t.test('writes are pruned and validated against the schema', async (t) => {
  const fake = await started(t);
  const extra = sampleTest('a');
  extra.spec.colour = 'red';
  const warned = await call(fake, 'POST', BASE, extra);
  t.equal(warned.code, 201);
  t.notOk(warned.body.spec.colour, 'pruned');
  t.equal(
    warned.headers.warning,
    '299 - "unknown field \\"spec.colour\\""',
    'a Warning header (the default field validation, Warn)',
  );
  const strict = await call(fake, 'POST', `${BASE}?fieldValidation=Strict`, { ...extra, metadata: { name: 'b' } });
  t.equal(strict.code, 400);
  t.match(strict.body.message, /strict decoding error: unknown field "spec.colour"/);
  const bad = sampleTest('c');
  bad.spec.defaults = { attempts: 99 };
  const invalid = await call(fake, 'POST', BASE, bad);
  t.equal(invalid.code, 422);
  t.match(invalid.body.message, /^ReachabilityTest\.prober\.dev "c" is invalid: spec\.defaults\.attempts/);
  const created = (await call(fake, 'GET', `${BASE}/a`)).body;
  const badStatus = await call(fake, 'PUT', `${BASE}/a/status`, { ...created, status: { verdict: 'Fine' } });
  t.equal(badStatus.code, 422, 'the status is validated too');
  t.equal(
    (await call(fake, 'POST', BASE, { ...sampleTest('d'), apiVersion: 'prober/v1alpha1' })).code,
    400,
    'another apiVersion',
  );
  t.equal(
    (await call(fake, 'POST', BASE, { ...sampleTest('e'), metadata: { name: 'e', namespace: 'other' } })).code,
    400,
    'another namespace',
  );
  const named = await call(fake, 'POST', BASE, sampleTest('Web_1'));
  t.equal(named.code, 422, 'a test name that is no object name (a file may have one)');
  t.match(named.body.message, /metadata\.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain/);
});

t.test('delete answers a Status and the object is gone', async (t) => {
  const fake = await started(t);
  const created = (await call(fake, 'POST', BASE, sampleTest('a'))).body;
  const deleted = await call(fake, 'DELETE', `${BASE}/a`);
  t.match(deleted.body, {
    kind: 'Status',
    status: 'Success',
    details: { name: 'a', group: 'prober.dev', kind: 'reachabilitytests', uid: created.metadata.uid },
  });
  t.equal((await call(fake, 'GET', `${BASE}/a`)).code, 404);
});

t.test('RBAC decides for the resource and its status subresource apart', async (t) => {
  const fake = await started(t);
  await call(fake, 'POST', BASE, sampleTest('a'));
  fake.enforceRbac([
    {
      kind: 'Role',
      metadata: { name: 'r', namespace: 'team' },
      rules: [{ apiGroups: ['prober.dev'], resources: ['reachabilitytests'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      kind: 'RoleBinding',
      metadata: { name: 'r', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'prober', namespace: 'prober' }],
    },
  ]);
  const got = (await call(fake, 'GET', `${BASE}/a`)).body;
  t.equal((await call(fake, 'PUT', `${BASE}/a/status`, { ...got, status: STATUS })).code, 403);
  t.match(
    (await call(fake, 'PUT', `${BASE}/a/status`, { ...got, status: STATUS })).body.message,
    /cannot update resource "reachabilitytests\/status" in API group "prober.dev"/,
  );
  t.equal((await call(fake, 'GET', `${BASE}?watch=true&timeoutSeconds=1`)).code, 200, 'watch is granted');
});
