// Which backends prove a target Service alive, read from EndpointSlices as the discovery.k8s.io/v1 API
// defines them: `serving` and `terminating`, not `ready` alone (publishNotReadyAddresses makes every
// endpoint ready), one backend per pod however many families list it, headless Services without ports.
// The Kubernetes API server is the in-process fake (test/cluster/fake/), whose endpointslice controller
// builds the slices from the pods as kube-controller-manager does; prober talks to it with client-node.

import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { checkTargets, type TargetEvidence } from '../../src/cluster/discovery.ts';
import type { IpFamily } from '../../src/model/family.ts';
import { parseTarget } from '../../src/model/target.ts';
import type { TargetSpec } from '../../src/model/test-spec.ts';
import { FakeApiServer, type StoredObject } from './fake/apiserver.ts';

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

function target(url: string, family?: IpFamily): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name: 'web', address: parsed.value, liveness: 'auto', ...(family ? { family } : {}) };
}

async function evidenceFor(fake: FakeApiServer, url: string, family?: IpFamily): Promise<TargetEvidence> {
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry);
  return checkTargets(api, [target(url, family)]);
}

const web = { app: 'web' };
const ports = [{ name: 'http', containerPort: 8080 }];

async function webService(t: Test, options: { publishNotReadyAddresses?: boolean } = {}): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.addService({
    namespace: 'web',
    name: 'web',
    selector: web,
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    ...options,
  });
  return fake;
}

const conditionsOf = (slices: StoredObject[]): StoredObject[] =>
  slices.flatMap((s) => s.endpoints.map((e: StoredObject) => ({ pod: e.targetRef.name, ...e.conditions })));

t.test('publishNotReadyAddresses: a crash-looping backend is published ready, but is no proof of life', async (t) => {
  const fake = await webService(t, { publishNotReadyAddresses: true });
  fake.addPod({ namespace: 'web', name: 'web-1', labels: web, ports, crashLooping: true });
  t.same(conditionsOf(fake.endpointSlices('web')), [{ pod: 'web-1', ready: true, serving: false, terminating: false }]);
  const evidence = await evidenceFor(fake, 'http://web.web.svc.cluster.local/');
  t.same([...evidence.alive.keys()], [], 'not alive');
  t.equal(evidence.down.get('web'), 'Service web/web has no ready endpoints (1 not ready)');
});

t.test('a terminating backend is no proof of life, even while it still serves', async (t) => {
  const fake = await webService(t, { publishNotReadyAddresses: true });
  fake.addPod({ namespace: 'web', name: 'web-1', labels: web, ports, terminating: true });
  t.same(conditionsOf(fake.endpointSlices('web')), [{ pod: 'web-1', ready: true, serving: true, terminating: true }]);
  const evidence = await evidenceFor(fake, 'http://web.web.svc.cluster.local/');
  t.equal(evidence.down.get('web'), 'Service web/web has no ready endpoints (1 terminating)');

  fake.addPod({ namespace: 'web', name: 'web-2', labels: web, ports, ip: '10.244.0.11' });
  const again = await evidenceFor(fake, 'http://web.web.svc.cluster.local/');
  t.equal(again.alive.get('web'), 'endpoints ready: 1 (Service web/web)', 'only the other pod counts');
});

t.test(
  'without publishNotReadyAddresses, the controller marks a not-Ready pod neither ready nor serving',
  async (t) => {
    const fake = await webService(t);
    fake.addPod({ namespace: 'web', name: 'web-1', labels: web, ports, ready: false });
    fake.addPod({ namespace: 'web', name: 'web-2', labels: web, ports, ip: '10.244.0.11', terminating: true });
    fake.addPod({ namespace: 'web', name: 'web-3', labels: web, ports, ip: '10.244.0.12', phase: 'Succeeded' });
    t.same(conditionsOf(fake.endpointSlices('web')), [
      { pod: 'web-1', ready: false, serving: false, terminating: false },
      { pod: 'web-2', ready: false, serving: true, terminating: true },
    ]);
    const evidence = await evidenceFor(fake, 'http://web.web.svc.cluster.local/');
    t.equal(evidence.down.get('web'), 'Service web/web has no ready endpoints (1 not ready, 1 terminating)');
  },
);

t.test('a dual-stack pod is in one slice per family and counts once; a family needs its own slice', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addService({
    namespace: 'web',
    name: 'web',
    selector: web,
    ports: [{ port: 80 }],
    ipFamilies: ['IPv4', 'IPv6'],
  });
  fake.addService({ namespace: 'web', name: 'web4', selector: web, ports: [{ port: 80 }] });
  fake.addPod({ namespace: 'web', name: 'web-1', labels: web, ips: ['10.244.0.10', 'fd00:10:244::10'] });
  const slices = fake.endpointSlices('web').filter((s) => s.metadata.labels['kubernetes.io/service-name'] === 'web');
  t.same(
    slices.map((s) => [s.addressType, s.endpoints[0].addresses]),
    [
      ['IPv4', ['10.244.0.10']],
      ['IPv6', ['fd00:10:244::10']],
    ],
  );
  t.equal((await evidenceFor(fake, 'tcp://web.web.svc:80')).alive.get('web'), 'endpoints ready: 1 (Service web/web)');
  t.ok((await evidenceFor(fake, 'tcp://web.web.svc:80', 'ipv6')).alive.has('web'));
  t.equal(
    (await evidenceFor(fake, 'tcp://web4.web.svc:80', 'ipv6')).down.get('web'),
    'Service web/web4 has no ready IPv6 endpoints',
  );
});

t.test('a headless Service without ports: not down for lacking the port, alive only by a reply', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addService({ namespace: 'db', name: 'peers', selector: { app: 'db' }, ports: [], headless: true });
  const before = await evidenceFor(fake, 'tcp://peers.db.svc:5432');
  t.equal(before.down.get('web'), 'Service db/peers has no ready endpoints', 'no pod yet: down');
  fake.addPod({ namespace: 'db', name: 'db-0', labels: { app: 'db' } });
  const [slice] = fake.endpointSlices('db');
  t.match(slice, { ports: [], metadata: { labels: { 'service.kubernetes.io/headless': '' } } });
  const evidence = await evidenceFor(fake, 'tcp://peers.db.svc:5432');
  t.same([...evidence.down.keys(), ...evidence.alive.keys(), ...evidence.warnings], []);
});

t.test('a pod without the named target port serves no endpoint port: not proof for that port', async (t) => {
  const fake = await webService(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: web, ports: [{ name: 'metrics', containerPort: 9090 }] });
  t.match(fake.endpointSlices('web'), [{ ports: [], endpoints: [{ conditions: { serving: true } }] }]);
  const evidence = await evidenceFor(fake, 'http://web.web.svc.cluster.local/');
  t.equal(evidence.down.get('web'), 'Service web/web has no ready endpoints');
});

t.test("a headless Service's pods are probed at the port itself: only a targetPort equal to it is proof", async (t) => {
  const fake = await FakeApiServer.start(t);
  const db = { app: 'db' };
  fake.addService({ namespace: 'db', name: 'same', selector: db, ports: [{ port: 5432 }], headless: true });
  fake.addService({
    namespace: 'db',
    name: 'mapped',
    selector: db,
    ports: [{ port: 80, targetPort: 8080 }],
    headless: true,
  });
  fake.addPod({ namespace: 'db', name: 'db-0', labels: db });
  t.equal((await evidenceFor(fake, 'tcp://same.db.svc:5432')).alive.get('web'), 'endpoints ready: 1 (Service db/same)');
  const mapped = await evidenceFor(fake, 'tcp://mapped.db.svc:80');
  t.same([...mapped.alive.keys(), ...mapped.down.keys()], [], 'pod port 80 is not the 8080 it serves: no proof');
});
