// The API server's error answers as a real one gives them, and what prober makes of each: APF's 429 with
// Retry-After (honoured, bounded, cut short by an interruption), the several 403s (RBAC, Pod Security,
// ResourceQuota), the several 404s (an unserved group, a disabled subresource, a pod gone), 403 before
// 404, the aggregator's 503, and a static pod's 422. The API server is the in-process fake of
// test/cluster/fake/ (there is no cluster on these machines); client-node and prober's code are real.

import t, { type Test } from 'tap';
import type { KubeApiError } from '../../src/cluster/api-error.ts';
import { type ClientOptions, clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { settleWithin, waitFor } from '../../src/model/wait.ts';
import { quotaExceeded, quotaMustSpecify } from './fake/admission-refusals.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { PlainAnswer, tooManyRequests } from './fake/plain-answers.ts';
import * as status from './fake/status.ts';

const agent = { name: 'prober-x', image: 'ghcr.io/prober-dev/prober:0.1.0', command: ['prober', 'agent'] };

async function fakeCluster(t: Test, options: ClientOptions = {}): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  return { fake, api: clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), options) };
}

t.test("429 from API Priority and Fairness: each retry waits the server's Retry-After", async (t) => {
  const waits: string[] = [];
  const { fake, api } = await fakeCluster(t, { onRetry: (_e, _n, message) => waits.push(message) });
  fake.answerNext('list', 'pods', () => tooManyRequests(1), 5);
  const pods = await api.listPods('web');
  t.equal(pods.length, 1, 'the list succeeds once the server lets it through');
  const seen = fake.seen('list', 'pods');
  t.same(
    seen.map((r) => r.code),
    [429, 429, 429, 429, 429, 200],
    'five throttled answers ride out (more than the four attempts of the short backoff)',
  );
  for (let i = 1; i < seen.length; i += 1)
    t.ok(seen[i]!.at - seen[i - 1]!.at >= 990, `retry ${i} came after the server's Retry-After of 1 s`);
  t.match(
    waits[0],
    /^retrying listPods after attempt 1, in 1 s as the server's Retry-After asks: .*429, Retry-After 1 s\): Too many requests, please try again later\./,
  );
});

t.test('429 retries are bounded: ten of them, and at most a minute of waiting in all', async (t) => {
  const { fake, api } = await fakeCluster(t);
  fake.answerNext('list', 'pods', () => tooManyRequests(0), 20);
  await t.rejects(api.listPods('web'), {
    code: 429,
    message: /throttling requests \(429, Retry-After 0 s\).*still refused after 10 retries/,
  });
  t.equal(fake.seen('list', 'pods').length, 11, 'the first attempt and ten retries');
  fake.answerNext('get', 'pods', () => tooManyRequests(120), 1);
  await t.rejects(api.readPod('web', 'web-1'), { code: 429, message: /would exceed 60 s of Retry-After in all/ });
  t.equal(fake.seen('get', 'pods').length, 1, 'a wait longer than the budget is not started');
});

t.test('an interruption ends a wait for Retry-After at once', async (t) => {
  const interrupt = new AbortController();
  const { fake, api } = await fakeCluster(t, { signal: interrupt.signal });
  fake.answerNext('list', 'pods', () => tooManyRequests(50), 2);
  const listing = api.listPods('web').then(
    () => 'listed',
    (error: Error) => error.message,
  );
  const asked = await waitFor(() => fake.seen('list', 'pods').length === 1, { deadlineMs: 10_000, intervalMs: 10 });
  t.ok(asked.ok, 'the first request was answered 429');
  interrupt.abort();
  const ended = await settleWithin(listing, 10_000);
  t.match(
    ended?.value,
    /\(interrupted(, not| while) waiting for Retry-After\)$/,
    'well before the 50 s the server asked',
  );
  t.equal(fake.seen('list', 'pods').length, 1, 'no further request');
});

t.test('a 403 says which refusal it is: RBAC, Pod Security or a ResourceQuota', async (t) => {
  const { fake, api } = await fakeCluster(t);
  fake.deny('patch', 'pods/ephemeralcontainers', 'web');
  await t.rejects(api.addEphemeralContainer('web', 'web-1', agent), {
    code: 403,
    message:
      /^forbidden: missing RBAC permission to patch pods\/ephemeralcontainers in namespace web \(.*User "system:serviceaccount:prober:prober" cannot patch resource "pods\/ephemeralcontainers"/,
  });
  // A namespace labelled to enforce "restricted" after web-1 started: the whole pod is checked.
  const { fake: psa, api: psaApi } = await fakeCluster(t);
  psa.addNamespace('web', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const refused = await psaApi.addEphemeralContainer('web', 'web-1', agent).catch((e: KubeApiError) => e);
  t.match(refused, {
    code: 403,
    message:
      /^refused by Pod Security admission, not RBAC \(adding an ephemeral container is checked against the whole pod.*use --agent=pod.*\) in namespace web: pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(containers "main", "prober-x" must set/,
  });
  t.notMatch((refused as Error).message, /RBAC permission|kubectl apply/, 'no RBAC hint');
  const pod = { metadata: { name: 'probe' }, spec: { containers: [{ name: 'agent', image: 'x' }] } };
  fake.answerNext('create', 'pods', () =>
    quotaExceeded('probe', 'compute', 'limits.memory=256Mi', 'limits.memory=1Gi', 'limits.memory=1Gi'),
  );
  await t.rejects(api.createPod('web', pod), {
    code: 403,
    message:
      /^refused by a ResourceQuota in namespace web, not RBAC .*: pods "probe" is forbidden: exceeded quota: compute, requested: limits.memory=256Mi/,
  });
  fake.answerNext('create', 'pods', () => quotaMustSpecify('probe', 'compute', 'limits.cpu for: agent'));
  await t.rejects(api.createPod('web', pod), {
    code: 403,
    message: /^refused by a ResourceQuota .*failed quota: compute/,
  });
});

t.test('404s told apart: an unserved group, ephemeral containers disabled, the pod gone', async (t) => {
  const { fake, api } = await fakeCluster(t);
  await t.rejects(api.listApiResources('gateway.networking.k8s.io', 'v1'), {
    code: 404,
    message:
      /\(404: the group is not installed, or not at this version\): the server could not find the requested resource/,
  });
  await t.rejects(api.listClusterObjects('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'), {
    code: 404,
    message:
      /^the API server does not serve ciliumnetworkpolicies in cilium\.io \(404: the group, version or resource is not installed\)/,
  });
  fake.answerNext('patch', 'pods/ephemeralcontainers', () => status.noSuchResource());
  await t.rejects(api.addEphemeralContainer('web', 'web-1', agent), {
    code: 404,
    message: /^ephemeral containers are disabled in this cluster .*use --agent=pod/,
  });
  await t.rejects(api.addEphemeralContainer('web', 'gone-1', agent), {
    code: 404,
    message: /^pods "gone-1" not found in namespace web/,
  });
});

t.test('authorization comes before routing: a trimmed role gets 403 on a group the cluster lacks', async (t) => {
  const { fake, api } = await fakeCluster(t);
  fake.deny('list', 'ciliumnetworkpolicies');
  await t.rejects(api.listClusterObjects('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'), {
    code: 403,
  });
  t.same(
    fake.seen('list', 'ciliumnetworkpolicies').map((r) => r.code),
    [403],
  );
});

t.test("an aggregated API that is not available answers the aggregator's plain 503", async (t) => {
  const { fake, api } = await fakeCluster(t, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
  fake.installCrd('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics');
  fake.unavailable('metrics.k8s.io');
  await t.rejects(api.listApiResources('metrics.k8s.io', 'v1beta1'), {
    code: 503,
    message: /the API serving it is unavailable \(an aggregated API whose backend is not ready\): service unavailable$/,
  });
  t.equal(fake.seen('get', 'apis').length, 2, 'retried as a transient failure');
  // A server that does send Retry-After with its 503 (a starting API server behind a load balancer) is heard.
  fake.answerNext('list', 'pods', () => new PlainAnswer(503, 'service unavailable', { 'retry-after': '1' }));
  t.equal((await api.listPods('web')).length, 1);
  const [first, second] = fake.seen('list', 'pods');
  t.ok(second!.at - first!.at >= 990, "the retry waited the 503's Retry-After");
});

t.test('a static (mirror) pod refuses ephemeral containers with 422, and prober says what to do', async (t) => {
  const { fake, api } = await fakeCluster(t);
  const pod = fake.pod('web', 'web-1')!;
  pod.metadata.annotations = { 'kubernetes.io/config.mirror': 'c0ffee' };
  await t.rejects(api.addEphemeralContainer('web', 'web-1', agent), {
    code: 422,
    message:
      /^pods "web-1" in namespace web is a static \(mirror\) pod.*: Pod "web-1" is invalid: \[\]: Forbidden: static pods do not support ephemeral containers \(.*use --agent=pod\)$/,
  });
});
