// Where a target lands in the lab: a udp:// target on the Service's UDP port, a tcp:// one on its TCP port of the same number.

import t from 'tap';
import { endpointsOf, endpointUrl } from '../../src/lab/endpoints.ts';
import type { LabTopology } from '../../src/lab/topology-types.ts';
import { parseTarget } from '../../src/model/target.ts';

const R1 = ['10.0.0.5', 'fd00::5'];

const TOPOLOGY = {
  lab: 'test',
  nodeNetns: 'node',
  nodeIp: '10.0.0.1',
  prefixLength: 24,
  namespaces: [{ name: 'dns', labels: {} }],
  pods: [],
  services: [
    {
      namespace: 'dns',
      name: 'resolver',
      clusterIp: '10.96.0.10',
      clusterIps: ['10.96.0.10', 'fd00:10:96::a'],
      dnsNames: ['resolver.dns.svc.cluster.local', 'resolver.dns.svc', 'resolver.dns'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', endpoints: [{ pod: 'r-1', ip: '10.0.0.5', ips: R1, port: 5353 }] },
        {
          name: 'dns-tcp',
          port: 53,
          protocol: 'TCP',
          endpoints: [{ pod: 'r-1', ip: '10.0.0.5', ips: R1, port: 5354 }],
        },
        { name: 'web', port: 80, protocol: 'TCP', endpoints: [{ pod: 'r-1', ip: '10.0.0.5', ips: R1, port: 8080 }] },
      ],
    },
  ],
  extraHosts: [],
} as unknown as LabTopology;

function address(url: string) {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

t.test('a udp:// target lands on the UDP port, a tcp:// target on the TCP port of the same number', async (t) => {
  const udp = address('udp://resolver.dns:53');
  t.same(endpointsOf(TOPOLOGY, udp), [{ ip: '10.0.0.5', port: 5353 }]);
  t.equal(endpointUrl(udp, { ip: '10.0.0.5', port: 5353 }), 'udp://10.0.0.5:5353', 'the node probes it over UDP');
  t.same(endpointsOf(TOPOLOGY, address('tcp://resolver.dns:53')), [{ ip: '10.0.0.5', port: 5354 }]);
  t.same(endpointsOf(TOPOLOGY, address('udp://resolver.dns:80')), [], 'no UDP port 80: no endpoint');
  t.same(endpointsOf(TOPOLOGY, udp, 'ipv6'), [{ ip: 'fd00::5', port: 5353 }], 'over IPv6: the pod IPv6 address');
  t.same(endpointsOf(TOPOLOGY, address('udp://[fd00:10:96::a]:53'), 'ipv6'), [{ ip: 'fd00::5', port: 5353 }]);
});
