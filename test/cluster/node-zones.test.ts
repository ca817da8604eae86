// The node-zone reader an affinity check needs (src/cluster/node-zones.ts), against the in-process fake
// API server: `list nodes` with the label selector `topology.kubernetes.io/zone` (only nodes with the
// label), read 500 at a time through list-pager.ts, each node trimmed to its name and two labels.
//
// Upstream behaviour the fake keeps for this call: a selector of a bare key matches the objects that
// have the label, whatever its value (apimachinery pkg/labels/selector.go, `Exists`); a page of `limit`
// holds `limit` objects that match, the server reading on past those that do not
// (apiserver pkg/storage/etcd3/store.go GetList: "loop until we have filled the requested limit"),
// and a range comes back in key order, by name for a cluster-scoped resource.

import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { HOSTNAME_LABEL, readNodeZones, ZONE_LABEL } from '../../src/cluster/node-zones.ts';
import { FakeApiServer } from './fake/apiserver.ts';

/** Nodes in three zones, with every fourth one unlabelled and enough of them for three pages. */
const NODES = 1_900;

t.test('zones of every labelled node, paged, and nothing else kept', async (t) => {
  const fake = await FakeApiServer.start(t);
  for (let i = 0; i < NODES; i += 1) {
    const name = `node-${String(i).padStart(4, '0')}`;
    const zone = i % 4 === 3 ? {} : { [ZONE_LABEL]: `zone-${'abc'[i % 3]}` };
    fake.addNode(name, { ...zone, 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'm5.large' });
  }
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {});
  const zones = await readNodeZones(api);
  const labelled = Math.ceil((NODES * 3) / 4);
  t.equal(zones.size, labelled, 'every node with a zone label, and only those');
  t.same(zones.get('node-0000'), { zone: 'zone-a', hostname: 'node-0000' });
  t.same(zones.get('node-0001'), { zone: 'zone-b', hostname: 'node-0001' });
  t.notOk(zones.has('node-0003'), 'a node without a zone label has no zone, never a guessed one');
  const pages = fake.seen('list', 'nodes');
  t.equal(
    pages.length,
    Math.ceil(labelled / 500),
    'pages of 500 labelled nodes: the selector is applied before the limit',
  );
  t.ok(
    pages.every((r) => r.code === 200 && r.namespace === undefined),
    'cluster-wide, each page answered',
  );
  const raw = await api.listNodeZones();
  t.same(
    Object.keys(raw[0]?.metadata?.labels ?? {}).sort(),
    [ZONE_LABEL, HOSTNAME_LABEL].sort(),
    'two labels kept per node',
  );
  t.notOk('status' in (raw[0] ?? {}), "the node's status (addresses, images) is not kept");
  t.same(
    raw.slice(0, 3).map((n) => n.metadata?.name),
    ['node-0000', 'node-0001', 'node-0002'],
    'in key order',
  );
});

t.test('the hostname label as the node has it; an empty zone is no zone', async (t) => {
  const fake = await FakeApiServer.start(t);
  // The kubelet's hostname may differ from the node's name (a cloud provider names nodes otherwise).
  fake.addNode('ip-10-0-1-5.ec2.internal', { [ZONE_LABEL]: 'eu-west-1a', [HOSTNAME_LABEL]: 'ip-10-0-1-5' });
  fake.addNode('b', { [ZONE_LABEL]: '' });
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {});
  t.same(
    [...(await readNodeZones(api))],
    [['ip-10-0-1-5.ec2.internal', { zone: 'eu-west-1a', hostname: 'ip-10-0-1-5' }]],
  );
});

t.test('without list nodes, the error names the permission', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addNode('a', { [ZONE_LABEL]: 'z1' });
  fake.deny('list', 'nodes');
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {});
  await t.rejects(readNodeZones(api), { code: 403, message: /list nodes/ });
});
