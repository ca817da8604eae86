// Refusals read as the API server means them: an admission webhook's denial (400 unless the webhook says
// otherwise, or 403) names the webhook, not a bad request or a missing RBAC rule; a LimitRange's refusal
// names the LimitRange; an unserved group on a current API server (a JSON Status 404, no longer the plain
// "404 page not found") is an unserved group; and a 404 about a pod that is gone is the pod gone, never
// "ephemeral containers are disabled". The API server is the in-process fake of test/cluster/fake/.
//
// Upstream: apiserver pkg/admission/plugin/webhook/errors/statuserror.go (ToStatusErr: codes below 400
// become 400), plugin/pkg/admission/limitranger/admission.go (maxConstraint, minConstraint),
// apiserver pkg/util/notfoundhandler/not_found_handler.go (the JSON 404 of an unserved path), kubectl's
// debug.go (a NotFound naming no object on pods/ephemeralcontainers: ephemeral containers disabled).

import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { pageNotFound } from './fake/plain-answers.ts';
import * as status from './fake/status.ts';
import { limitRangeRefused, webhookDenied } from './fake/webhook-refusals.ts';

const agent = { name: 'prober-x', image: 'ghcr.io/prober-dev/prober:0.1.0', command: ['prober', 'agent'] };
const pod = { metadata: { name: 'probe' }, spec: { containers: [{ name: 'agent', image: 'x' }] } };
const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

async function cluster(t: Test): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  return { fake, api: clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry) };
}

t.test("an admission webhook's denial names the webhook, whatever its code", async (t) => {
  const { fake, api } = await cluster(t);
  fake.answerNext('create', 'pods', () => webhookDenied('policy.example.com', 'no probe pods in web'));
  const byDefault = await api.createPod('web', pod).catch((e: Error & { code?: number }) => e);
  t.match(byDefault, {
    code: 400,
    message:
      'refused by the admission webhook "policy.example.com" in namespace web, not RBAC: admission webhook "policy.example.com" denied the request: no probe pods in web',
  });
  fake.answerNext('patch', 'pods/ephemeralcontainers', () =>
    webhookDenied('kyverno-resource.kyverno.svc', 'ephemeral containers are not allowed', 403, 'Forbidden'),
  );
  const forbidden = await api.addEphemeralContainer('web', 'web-1', agent).catch((e: Error & { code?: number }) => e);
  t.match(forbidden, {
    code: 403,
    message: /^refused by the admission webhook "kyverno-resource\.kyverno\.svc" in namespace web, not RBAC: /,
  });
  t.notMatch((forbidden as Error).message, /missing RBAC|kubectl apply/, 'no RBAC hint for a webhook');
});

t.test('a LimitRange refusal names the LimitRange', async (t) => {
  const { fake, api } = await cluster(t);
  fake.answerNext('create', 'pods', () =>
    limitRangeRefused('probe', [
      'maximum memory usage per Container is 512Mi, but limit is 1Gi',
      'minimum cpu usage per Container is 100m, but request is 10m',
    ]),
  );
  await t.rejects(api.createPod('web', pod), {
    code: 403,
    message:
      /^refused by a LimitRange in namespace web, not RBAC \(the pod's requests or limits are outside what the namespace's LimitRange allows\): pods "probe" is forbidden: \[maximum memory usage per Container is 512Mi/,
  });
});

t.test('an unserved group on a current API server (JSON 404) and on an older one (plain 404)', async (t) => {
  const { fake, api } = await cluster(t);
  await t.rejects(api.listApiResources('gateway.networking.k8s.io', 'v1'), {
    code: 404,
    message:
      /^the API server does not serve the API group version gateway\.networking\.k8s\.io\/v1 \(404: the group is not installed, or not at this version\)/,
  });
  await t.rejects(api.listClusterObjects('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'), {
    code: 404,
    message:
      /^the API server does not serve ciliumnetworkpolicies in cilium\.io \(404: the group, version or resource is not installed\): the server could not find the requested resource$/,
  });
  fake.answerNext('get', 'apis', pageNotFound);
  await t.rejects(api.listApiResources('gateway.networking.k8s.io', 'v1'), {
    code: 404,
    message: /^the API server does not serve the API group version gateway\.networking\.k8s\.io\/v1 \(404/,
  });
});

t.test('a pod that is gone is not "ephemeral containers disabled", with or without Status details', async (t) => {
  const { fake, api } = await cluster(t);
  await t.rejects(api.addEphemeralContainer('web', 'gone-1', agent), {
    code: 404,
    message: /^pods "gone-1" not found in namespace web/,
  });
  // A proxy or an older server that drops the details still says which pod in its message.
  fake.answerNext(
    'patch',
    'pods/ephemeralcontainers',
    () => new status.StatusError(404, 'NotFound', 'pods "web-1" not found'),
  );
  await t.rejects(api.addEphemeralContainer('web', 'web-1', agent), {
    code: 404,
    message: /^pods "web-1" not found in namespace web/,
  });
  fake.answerNext('patch', 'pods/ephemeralcontainers', () => status.noSuchResource());
  await t.rejects(api.addEphemeralContainer('web', 'web-1', agent), {
    code: 404,
    message: /^ephemeral containers are disabled in this cluster/,
  });
});
