// The fake kubelet reports a created container's `imageID` as containerd does (the repository normalized,
// `@sha256:` the digest pulled; nothing while the container waits), so prober in a pod the fake created
// pins its agents to its own digest end to end (src/cluster/own-image.ts), not only from a fixture.

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { ownImage } from '../../src/cluster/own-image.ts';
import { waitFor } from '../helpers/wait.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { digestOf, pulledImageID } from './fake/image-id.ts';
import { proberRbac } from './fake/lab.ts';

t.test('imageID as the runtime reports it: normalized repository, the pulled digest', async (t) => {
  const d = `sha256:${'a'.repeat(64)}`;
  t.equal(pulledImageID(`ghcr.io/prober-dev/prober:0.1.0@${d}`), `ghcr.io/prober-dev/prober@${d}`);
  t.equal(pulledImageID('redis:7'), `docker.io/library/redis@${digestOf('redis:7')}`);
  t.equal(pulledImageID('nicolas/webdis'), `docker.io/nicolas/webdis@${digestOf('nicolas/webdis')}`);
  t.equal(pulledImageID('localhost:5000/p:1'), `localhost:5000/p@${digestOf('localhost:5000/p:1')}`);
  t.not(digestOf('redis:7'), digestOf('redis:8'), 'another tag, another pull');
});

t.test("prober's own pod created through the fake: its agents get the digest the kubelet reports", async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('prober');
  fake.serviceAccounts.addFrom(proberRbac());
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const image = 'ghcr.io/prober-dev/prober:0.1.0';
  const pod = (name: string): V1Pod => ({
    metadata: { name },
    spec: {
      serviceAccountName: 'prober',
      restartPolicy: 'Never',
      containers: [{ name: 'prober', image, command: ['prober', '--version'] }],
    },
  });
  fake.kubelet.images.set('ghcr.io/prober-dev/prober:slow', 'slow-start');
  await api.createPod('prober', {
    ...pod('waiting'),
    spec: { ...pod('waiting').spec!, containers: [{ name: 'prober', image: 'ghcr.io/prober-dev/prober:slow' }] },
  });
  await api.createPod('prober', pod('prober-run'));
  await waitFor('the container to run', () =>
    Boolean(fake.pod('prober', 'prober-run')?.status.containerStatuses?.[0]?.state.terminated),
  );
  const status = fake.pod('prober', 'prober-run')?.status.containerStatuses[0];
  t.equal(status.imageID, `ghcr.io/prober-dev/prober@${digestOf(image)}`);
  t.equal(fake.pod('prober', 'waiting')?.status.containerStatuses[0].imageID, '', 'a waiting container has none');
  // prober reads its own pod under the Role prober-self, as in the cluster.
  fake.enforceRbac(proberRbac());
  const inPod = { inCluster: true, namespace: 'prober' };
  t.equal(await ownImage(api, inPod, { HOSTNAME: 'prober-run' }), `${image}@${digestOf(image)}`);
});
