// The target of a zone-affinity check read from a Service and its EndpointSlices
// (src/cluster/affinity-target.ts), with slices shaped as the EndpointSlice controller writes them:
// node and zone per endpoint (staging/src/k8s.io/endpointslice/utils.go, podToEndpoint), `forZones`
// hints on ready endpoints for PreferClose (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go),
// none when the topology cache refused them (pkg/controller/endpointslice/topologycache/topologycache.go).

import type { V1Endpoint, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import t from 'tap';
import { affinityTargetOf } from '../../src/cluster/affinity-target.ts';

const service = (spec: V1Service['spec'] = {}): V1Service => ({
  metadata: { namespace: 'zones', name: 'paperino' },
  spec: { ports: [{ name: 'http', port: 80 }], ...spec },
});

const endpoint = (pod: string, ip: string, zone: string | undefined, ready = true, hinted = true): V1Endpoint => ({
  addresses: [ip],
  conditions: { ready, serving: ready, terminating: false },
  nodeName: `node-${pod}`,
  ...(zone ? { zone } : {}),
  ...(hinted && ready && zone ? { hints: { forZones: [{ name: zone }] } } : {}),
  targetRef: { kind: 'Pod', namespace: 'zones', name: pod },
});

const slice = (addressType: string, endpoints: V1Endpoint[], port = 'http'): V1EndpointSlice => ({
  addressType,
  endpoints,
  ports: [{ name: port, port: 8080, protocol: 'TCP' }],
});

t.test('endpoints by pod across address types, with node, zone and readiness', async (t) => {
  const target = affinityTargetOf(
    service({ trafficDistribution: 'PreferClose' }),
    [
      slice('IPv4', [endpoint('p0', '10.0.0.1', 'zone-a'), endpoint('p1', '10.0.0.2', 'zone-b', false)]),
      slice('IPv6', [endpoint('p0', 'fd00::1', 'zone-a')]),
      slice('IPv4', [endpoint('other', '10.0.0.9', 'zone-a')], 'metrics'),
    ],
    'http',
  );
  t.same(target, {
    service: 'zones/paperino',
    trafficDistribution: 'PreferClose',
    endpoints: [
      { pod: 'p0', ips: ['10.0.0.1', 'fd00::1'], node: 'node-p0', zone: 'zone-a', ready: true },
      { pod: 'p1', ips: ['10.0.0.2'], node: 'node-p1', zone: 'zone-b', ready: false },
    ],
  });
});

t.test('ready endpoints without a zone hint are counted where the setting needs hints', async (t) => {
  const slices = [
    slice('IPv4', [
      endpoint('p0', '10.0.0.1', 'zone-a', true, false),
      endpoint('p1', '10.0.0.2', undefined),
      endpoint('p2', '10.0.0.3', 'zone-b', false, false),
      endpoint('p3', '10.0.0.4', 'zone-b'),
    ]),
  ];
  t.equal(affinityTargetOf(service({ trafficDistribution: 'PreferClose' }), slices, 'http').unhinted, 2);
  t.equal(affinityTargetOf(service(), slices, 'http').unhinted, undefined, 'no setting: hints do not matter');
  t.equal(
    affinityTargetOf(service({ trafficDistribution: 'PreferClose', internalTrafficPolicy: 'Local' }), slices, 'http')
      .unhinted,
    undefined,
    'internalTrafficPolicy: Local needs no hints',
  );
  const zoneless = affinityTargetOf(service(), slices, 'http').endpoints.find((e) => e.pod === 'p1');
  t.same(zoneless, { pod: 'p1', ips: ['10.0.0.2'], node: 'node-p1', ready: true }, 'a zone left out when unknown');
});

t.test('an unset ready condition is ready; an endpoint without a pod is named by its address', async (t) => {
  const bare: V1Endpoint = { addresses: ['192.0.2.7'] };
  const target = affinityTargetOf(service(), [slice('IPv4', [bare])], 'http');
  t.same(target.endpoints, [{ pod: '192.0.2.7', ips: ['192.0.2.7'], node: '(no node named)', ready: true }]);
});
