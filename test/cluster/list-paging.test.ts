// Cluster-wide lists as a big cluster serves them: 500 objects a page, each page parsed once into plain
// manifests (no client-node model classes, no managedFields kept), and a list whose continue token
// expires (410 Gone, reason Expired, as etcd's compaction makes it) started over from its first page,
// a bounded number of times. The API server is the in-process fake of test/cluster/fake/ (there is no
// cluster on these machines); client-node and prober's code are real.

import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { LIST_RESTARTS } from '../../src/cluster/list-pager.ts';
import { readClusterObjects } from '../../src/cluster/live-read.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { CONTINUE_EXPIRED } from './fake/discovery.ts';

const PODS = 1_200;

async function bigCluster(t: Test, heard: string[] = []): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  for (let i = 0; i < PODS; i += 1) {
    const pod = fake.addPod({ namespace: `ns-${i % 7}`, name: `w-${i}`, labels: { app: `w${i % 20}` } });
    (pod.metadata as Record<string, unknown>).managedFields = [{ manager: 'kubelet', operation: 'Update' }];
  }
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    onRetry: (_e, _n, message) => heard.push(message),
  });
  return { fake, api };
}

t.test('a list is read in pages of 500, each item a plain manifest without managedFields', async (t) => {
  const { fake, api } = await bigCluster(t);
  const pods = await api.listAllPods();
  t.equal(pods.length, PODS);
  t.equal(new Set(pods.map((p) => p.metadata?.name)).size, PODS, 'every pod once');
  t.same(
    fake.seen('list', 'pods').map((r) => r.code),
    [200, 200, 200],
    'three pages',
  );
  t.equal(Object.getPrototypeOf(pods[0]), Object.prototype, 'parsed once: plain JSON, not client-node model objects');
  t.notOk('managedFields' in (pods[0]!.metadata ?? {}), 'managedFields are not kept');
  t.equal(pods[0]!.metadata?.labels?.app, 'w0', 'the fields prober models are');
});

t.test('an expired continue token (410 Gone) starts the list over from its first page', async (t) => {
  const heard: string[] = [];
  const { fake, api } = await bigCluster(t, heard);
  fake.expireContinue('pods', 1);
  const pods = await api.listAllPods();
  t.equal(pods.length, PODS, 'all pods, none twice: the pages before the 410 are dropped');
  t.equal(new Set(pods.map((p) => p.metadata?.name)).size, PODS);
  t.same(
    fake.seen('list', 'pods').map((r) => r.code),
    [200, 410, 200, 200, 200],
  );
  t.match(heard, [/^restarting listAllPods from its first page \(1 of 3\): .*410 Gone/]);
  t.ok(heard[0]?.includes(CONTINUE_EXPIRED), "the server's own message is shown");
});

t.test('a list that keeps expiring fails after a bounded number of restarts', async (t) => {
  const { fake, api } = await bigCluster(t);
  fake.expireContinue('pods', 100);
  await t.rejects(api.listAllPods(), {
    code: 410,
    message: /^list pods cluster-wide: the list's continue token expired before its last page \(410 Gone/,
  });
  t.equal(fake.seen('list', 'pods').length, 2 * (LIST_RESTARTS + 1), 'a first page and a 410, each start');
});

t.test('simulate --cluster reads its pods the same way, restarts included', async (t) => {
  const { fake, api } = await bigCluster(t);
  fake.expireContinue('pods', 1);
  const { objects } = await readClusterObjects(api, [], false);
  t.equal(objects.filter((o) => o.kind === 'Pod').length, PODS);
  t.notOk(
    objects.some((o) => 'managedFields' in ((o.metadata ?? {}) as object)),
    'no managedFields',
  );
});
