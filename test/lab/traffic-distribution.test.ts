// Which endpoints a client's node reaches, table by table against the upstream code it follows:
//   staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go (hints the EndpointSlice controller writes)
//   pkg/proxy/topology.go (CategorizeEndpoints, topologyModeFromHints, availableForTopology)
// and the cases of pkg/proxy/topology_test.go that the lab can meet (no terminating endpoints).

import t from 'tap';
import { endpointsFor, hintsOf, type SliceEndpoint } from '../../src/lab/traffic-distribution.ts';

const ep = (node: string, zone: string | undefined, ready = true): SliceEndpoint => ({
  node,
  ...(zone ? { zone } : {}),
  ready,
});

// Two zones, two nodes each; endpoints on node a1, a2 (zone-a) and b1 (zone-b).
const spread = [ep('a1', 'zone-a'), ep('a2', 'zone-a'), ep('b1', 'zone-b')];

t.test('hints: trafficdist.go preferCloseHeuristic.update', async (t) => {
  t.same(hintsOf(ep('a1', 'zone-a'), 'PreferClose'), { forZones: ['zone-a'], forNodes: [] });
  t.same(hintsOf(ep('a1', 'zone-a'), 'PreferSameZone'), { forZones: ['zone-a'], forNodes: [] });
  t.same(hintsOf(ep('a1', 'zone-a'), 'PreferSameNode'), { forZones: ['zone-a'], forNodes: ['a1'] });
  t.same(hintsOf(ep('a1', undefined), 'PreferSameNode'), { forZones: [], forNodes: ['a1'] }, 'no zone: node only');
  t.equal(hintsOf(ep('a1', undefined), 'PreferClose'), undefined, 'no zone, no hint');
  t.equal(hintsOf(ep('a1', 'zone-a', false), 'PreferClose'), undefined, 'not ready: not hinted');
  t.equal(hintsOf(ep('a1', 'zone-a'), undefined), undefined, 'defaultHeuristic clears hints');
  t.equal(hintsOf(ep('a1', 'zone-a'), 'Bogus'), undefined, 'an unknown value is no distribution');
});

const table: readonly {
  readonly name: string;
  readonly endpoints: readonly SliceEndpoint[];
  readonly settings: Parameters<typeof endpointsFor>[1];
  readonly node: string;
  readonly zone: string | undefined;
  readonly mode: string;
  readonly chosen: readonly number[];
}[] = [
  {
    name: 'no distribution: every ready endpoint',
    endpoints: spread,
    settings: {},
    node: 'a1',
    zone: 'zone-a',
    mode: 'Cluster',
    chosen: [0, 1, 2],
  },
  {
    name: 'PreferClose: same zone',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferClose' },
    node: 'b2',
    zone: 'zone-b',
    mode: 'PreferSameZone',
    chosen: [2],
  },
  {
    name: 'PreferSameZone: same zone',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferSameZone' },
    node: 'a2',
    zone: 'zone-a',
    mode: 'PreferSameZone',
    chosen: [0, 1],
  },
  {
    name: 'PreferClose: the zone has no ready endpoint, so every ready one (topologyModeFromHints "no hints were provided for zone")',
    endpoints: [ep('a1', 'zone-a', false), ep('a2', 'zone-a', false), ep('b1', 'zone-b'), ep('b2', 'zone-b')],
    settings: { trafficDistribution: 'PreferClose' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'Cluster',
    chosen: [2, 3],
  },
  {
    name: 'PreferClose: an endpoint without a zone hint disables hints for everyone',
    endpoints: [ep('a1', 'zone-a'), ep('x', undefined), ep('b1', 'zone-b')],
    settings: { trafficDistribution: 'PreferClose' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'Cluster',
    chosen: [0, 1, 2],
  },
  {
    name: 'PreferClose: a node without a zone label ignores hints',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferClose' },
    node: 'c1',
    zone: undefined,
    mode: 'Cluster',
    chosen: [0, 1, 2],
  },
  {
    name: 'PreferSameNode: same node',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferSameNode' },
    node: 'a2',
    zone: 'zone-a',
    mode: 'PreferSameNode',
    chosen: [1],
  },
  {
    name: 'PreferSameNode: no endpoint on the node, so same zone',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferSameNode' },
    node: 'b2',
    zone: 'zone-b',
    mode: 'PreferSameZone',
    chosen: [2],
  },
  {
    name: 'PreferSameNode: neither node nor zone has one, so every ready endpoint',
    endpoints: spread,
    settings: { trafficDistribution: 'PreferSameNode' },
    node: 'c1',
    zone: 'zone-c',
    mode: 'Cluster',
    chosen: [0, 1, 2],
  },
  {
    name: 'PreferClose: not-ready endpoints of the zone are skipped',
    endpoints: [ep('a1', 'zone-a', false), ep('a2', 'zone-a'), ep('b1', 'zone-b')],
    settings: { trafficDistribution: 'PreferClose' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'PreferSameZone',
    chosen: [1],
  },
  {
    name: 'nothing ready: nothing chosen',
    endpoints: [ep('a1', 'zone-a', false)],
    settings: { trafficDistribution: 'PreferClose' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'Cluster',
    chosen: [],
  },
  {
    name: "internalTrafficPolicy Local: the node's own endpoints",
    endpoints: spread,
    settings: { internalTrafficPolicy: 'Local' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'Local',
    chosen: [0],
  },
  {
    name: 'internalTrafficPolicy Local: none on the node, no fallback (traffic dropped)',
    endpoints: spread,
    settings: { internalTrafficPolicy: 'Local', trafficDistribution: 'PreferClose' },
    node: 'a3',
    zone: 'zone-a',
    mode: 'Local',
    chosen: [],
  },
  {
    name: 'internalTrafficPolicy Local: a not-ready local endpoint is not used',
    endpoints: [ep('a1', 'zone-a', false), ep('b1', 'zone-b')],
    settings: { internalTrafficPolicy: 'Local' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'Local',
    chosen: [],
  },
  {
    name: 'internalTrafficPolicy Cluster: as no policy',
    endpoints: spread,
    settings: { internalTrafficPolicy: 'Cluster', trafficDistribution: 'PreferClose' },
    node: 'a1',
    zone: 'zone-a',
    mode: 'PreferSameZone',
    chosen: [0, 1],
  },
];

t.test('endpoints per node: pkg/proxy/topology.go', async (t) => {
  for (const row of table) {
    t.same(
      endpointsFor(row.endpoints, row.settings, row.node, row.zone),
      { mode: row.mode, chosen: row.chosen },
      row.name,
    );
  }
});
