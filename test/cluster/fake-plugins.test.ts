// Admission plugins of the fake API server that a cluster may or may not run: validating webhooks
// (apiserver pkg/admission/plugin/webhook/errors/statuserror.go ToStatusErr: 400 unless the webhook
// answers a code of its own, such as a policy engine's 403) and OwnerReferencesPermissionEnforcement
// (plugin/pkg/admission/gc), which kube-apiserver leaves off unless enabled.

import type { V1Pod } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { FakeApiServer } from './fake/apiserver.ts';

async function cluster(t: Test): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'shop', name: 'web-1', labels: { app: 'web' } });
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  return { fake, api };
}

const pod = (name: string, extra: Partial<V1Pod['metadata']> = {}): V1Pod => ({
  metadata: { name, ...extra },
  spec: { containers: [{ name: 'agent', image: 'prober', command: ['prober', '--version'] }] },
});

t.test('a validating webhook denies with 400, or with the code it answers, in ToStatusErr words', async (t) => {
  const { fake, api } = await cluster(t);
  fake.kubelet.images.set('prober', 'slow-start');
  fake.webhooks.add({
    name: 'probes.policy.example.com',
    review: (p) => (p.metadata.name === 'plain' ? { message: 'pods named plain are not allowed' } : undefined),
  });
  fake.webhooks.add({
    name: 'gatekeeper.sh',
    review: (p) =>
      p.metadata.name === 'strict'
        ? { code: 403, reason: 'Forbidden', message: '[no-probes] probes are not allowed' }
        : undefined,
  });
  fake.webhooks.add({ name: 'silent.example.com', review: (p) => (p.metadata.name === 'silent' ? {} : undefined) });
  await t.rejects(api.createPod('shop', pod('plain')), {
    code: 400,
    message: /admission webhook "probes\.policy\.example\.com" denied the request: pods named plain are not allowed/,
  });
  await t.rejects(api.createPod('shop', pod('strict')), {
    code: 403,
    message: /admission webhook "gatekeeper\.sh" denied the request: \[no-probes\] probes are not allowed/,
  });
  await t.rejects(api.createPod('shop', pod('silent')), {
    code: 400,
    message: /admission webhook "silent\.example\.com" denied the request without explanation/,
  });
  await api.createPod('shop', pod('fine'));
  t.ok(fake.pod('shop', 'fine'), 'a pod no webhook denies is created');
  t.same(
    fake.seen('create', 'pods').map((r) => r.code),
    [400, 403, 400, 201],
  );
});

t.test('a webhook sees pods/ephemeralcontainers only when its rules name the subresource', async (t) => {
  const { fake, api } = await cluster(t);
  const agent = { name: 'prober-x', image: 'prober', command: ['prober', 'agent'] };
  fake.webhooks.add({ name: 'pods-only.example.com', review: () => ({ code: 403, message: 'no' }) });
  await api.addEphemeralContainer('shop', 'web-1', agent);
  fake.webhooks.add({
    name: 'debug.example.com',
    resources: ['pods/ephemeralcontainers'],
    review: () => ({ code: 403, reason: 'Forbidden', message: 'ephemeral containers are not allowed here' }),
  });
  await t.rejects(api.addEphemeralContainer('shop', 'web-1', { ...agent, name: 'prober-y' }), {
    code: 403,
    message: /admission webhook "debug\.example\.com" denied the request: ephemeral containers are not allowed here/,
  });
  t.same(
    fake.pod('shop', 'web-1')?.spec.ephemeralContainers.map((c: { name: string }) => c.name),
    ['prober-x'],
  );
});

t.test('OwnerReferencesPermissionEnforcement is off by default, as in kube-apiserver', async (t) => {
  const { fake, api } = await cluster(t);
  fake.kubelet.images.set('prober', 'slow-start');
  const source = fake.pod('shop', 'web-1');
  const owned = (name: string): V1Pod =>
    pod(name, {
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          name: 'web-1',
          uid: source?.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  fake.deny('delete', 'pods', 'shop');
  await api.createPod('shop', owned('owned-1'));
  t.ok(fake.pod('shop', 'owned-1'), 'without the plugin, owner references need no delete permission');
  fake.enforceOwnerReferences();
  await t.rejects(api.createPod('shop', owned('owned-2')), {
    code: 403,
    message: /pods "owned-2" is forbidden: cannot set an ownerRef on a resource you can't delete/,
  });
});
