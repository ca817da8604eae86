// `lab apply --snat`: which pods a workload name picks, and the node's masquerade ruleset for them.

import t from 'tap';
import { snatPods, snatRuleset } from '../../src/lab/snat.ts';
import type { LabPod, LabTopology } from '../../src/lab/topology-types.ts';

const pod = (workload: string, name: string, ip: string): LabPod =>
  ({ workload, name, netns: `lab-${name}`, ip, ips: [ip, `fd00:10:244::${ip.split('.')[3]}`] }) as unknown as LabPod;

const topology = (nodeIp: string, prefixLength: number, pods: LabPod[]): LabTopology =>
  ({ nodeIp, prefixLength, nodeNetns: 'lab-node', pods }) as unknown as LabTopology;

const lab = topology('10.244.0.1', 16, [
  pod('alpha/client', 'client-0', '10.244.0.3'),
  pod('alpha/web', 'web-0', '10.244.0.2'),
  pod('alpha/web', 'web-1', '10.244.0.7'),
]);

t.test('a workload name picks every pod of it; an unknown one is named', async (t) => {
  t.same(
    (snatPods(lab, ['alpha/web']) as LabPod[]).map((p) => p.name),
    ['web-0', 'web-1'],
  );
  t.same(snatPods(lab, []), []);
  t.equal(
    snatPods(lab, ['alpha/client', 'alpha/nobody']),
    '--snat "alpha/nobody": no workload of the lab is named so (namespace/name, as lab status lists pods\' owners)',
  );
  t.match(snatPods(lab, ['web']), /--snat "web"/, 'the namespace is part of the name');
});

t.test('the ruleset masquerades each chosen pod to the pod network, replacing the table whole', async (t) => {
  const rules = snatRuleset(lab, snatPods(lab, ['alpha/client']) as LabPod[]);
  t.equal(
    rules,
    [
      'table ip prober_snat',
      'delete table ip prober_snat',
      'table ip prober_snat {',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    ip saddr 10.244.0.3 ip daddr 10.244.0.0/16 masquerade',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

t.test('the pod network is the node address with its host bits cleared', async (t) => {
  const rule = (nodeIp: string, prefix: number) =>
    /daddr (\S+) masquerade/.exec(snatRuleset(topology(nodeIp, prefix, []), [pod('a/b', 'b-0', '1.2.3.4')]))?.[1];
  t.equal(rule('10.244.0.1', 16), '10.244.0.0/16');
  t.equal(rule('192.168.37.129', 25), '192.168.37.128/25');
  t.equal(rule('172.31.255.254', 12), '172.16.0.0/12');
  t.equal(rule('10.1.2.3', 32), '10.1.2.3/32');
});
