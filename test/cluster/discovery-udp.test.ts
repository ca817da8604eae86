// What the Kubernetes API can prove about a udp:// target: a missing UDP port or no ready endpoint proves it down,
// but ready endpoints never prove it alive (only a UDP reply in the run does), unlike a tcp:// target's.

import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import t from 'tap';
import { checkTargets } from '../../src/cluster/discovery.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import { parseTarget } from '../../src/model/target.ts';
import type { TargetSpec } from '../../src/model/test-spec.ts';

/** The two calls checkTargets makes, answered from a fixed Service `dns/resolver` with ports 53/UDP and 53/TCP. */
function fakeApi(readyEndpoints: number): KubeApi {
  const service: V1Service = {
    metadata: { name: 'resolver', namespace: 'dns' },
    spec: {
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'web', port: 80 },
      ],
    },
  };
  const slice: V1EndpointSlice = {
    addressType: 'IPv4',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'web', port: 80, protocol: 'TCP' },
    ],
    endpoints: Array.from({ length: readyEndpoints }, (_, i) => ({
      addresses: [`10.0.0.${i + 1}`],
      conditions: { ready: true },
    })),
  };
  return {
    readService: async () => service,
    listEndpointSlices: async () => [slice],
  } as unknown as KubeApi;
}

function target(name: string, url: string): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name, address: parsed.value, liveness: 'auto' };
}

const TARGETS = [
  target('dns-udp', 'udp://resolver.dns:53'),
  target('dns-tcp', 'tcp://resolver.dns:53'),
  target('web-udp', 'udp://resolver.dns:80'),
];

t.test('ready endpoints prove a tcp:// target alive, never a udp:// one', async (t) => {
  const evidence = await checkTargets(fakeApi(2), TARGETS);
  t.same([...evidence.alive.keys()], ['dns-tcp'], 'only the TCP target counts as alive');
  t.notOk(evidence.down.has('dns-udp'), 'the UDP port exists with ready endpoints: not down either');
  t.match(evidence.down.get('web-udp'), /has no UDP port 80 \(ports: 53\/UDP, 53\/TCP, 80\/TCP\)/);
  t.same(evidence.warnings, []);
});

t.test('no ready endpoints prove a udp:// target down', async (t) => {
  const evidence = await checkTargets(fakeApi(0), TARGETS);
  t.match(evidence.down.get('dns-udp'), /has no ready endpoints/);
  t.match(evidence.down.get('dns-tcp'), /has no ready endpoints/);
});
