// `lab apply --unenforced`: what it accepts, the policies the lab's CNI then enforces, and the
// nftables rules it writes for a protocol left unfiltered.

import t from 'tap';
import { compileFirewall } from '../../src/lab/firewall.ts';
import type { LabPod, LabTopology } from '../../src/lab/topology-types.ts';
import {
  describeUnenforced,
  ENFORCE_ALL,
  enforcedPolicies,
  parseUnenforced,
  type Unenforced,
} from '../../src/lab/unenforced.ts';
import { buildModel, type PolicyInput } from '../../src/policy/index.ts';

t.test('values: all, udp and sctp in any case, L3/L4 kinds by name', async (t) => {
  t.same(parseUnenforced([]), ENFORCE_ALL);
  t.same(parseUnenforced(['ALL']), { all: true, protocols: [], kinds: [] });
  t.same(parseUnenforced(['udp', 'SCTP', 'udp']), { all: false, protocols: ['UDP', 'SCTP'], kinds: [] });
  t.same(parseUnenforced(['ClusterNetworkPolicy', 'CiliumNetworkPolicy']), {
    all: false,
    protocols: [],
    kinds: ['ClusterNetworkPolicy', 'CiliumNetworkPolicy'],
  });
  t.equal(
    parseUnenforced(['tcp']),
    '--unenforced "tcp": expected all, udp, sctp, or a policy kind (NetworkPolicy, ClusterNetworkPolicy …)',
  );
  t.match(parseUnenforced(['clusternetworkpolicy']), /expected all/, 'a kind is named exactly, as in manifests');
  t.match(parseUnenforced(['PeerAuthentication']), /sidecars enforce PeerAuthentication, not its CNI/);
  t.match(parseUnenforced(['udp', 'AuthorizationPolicy']), /sidecars enforce AuthorizationPolicy/);
});

t.test('the policies the CNI enforces leave out the unenforced kinds only', async (t) => {
  const policy = (kind: string, name: string): PolicyInput => ({ manifest: { kind, metadata: { name } } });
  const policies = [policy('NetworkPolicy', 'a'), policy('ClusterNetworkPolicy', 'b'), { manifest: null }];
  t.same(enforcedPolicies(policies, ENFORCE_ALL), policies);
  const kept = enforcedPolicies(policies, { all: false, protocols: ['UDP'], kinds: ['ClusterNetworkPolicy'] });
  t.same(kept, [policies[0], policies[2]]);
});

t.test('how status names what is left unenforced', async (t) => {
  t.equal(describeUnenforced(undefined), undefined);
  t.equal(describeUnenforced(ENFORCE_ALL), undefined);
  const some: Unenforced = { all: true, protocols: ['UDP'], kinds: ['AdminNetworkPolicy'] };
  t.equal(
    describeUnenforced(some),
    'every L3/L4 policy (as a CNI without NetworkPolicy support), UDP, AdminNetworkPolicy',
  );
});

t.test('an unfiltered protocol is accepted before any policy rule, in both chains', async (t) => {
  const pod = (name: string, ip: string, ports: { containerPort: number; protocol: 'TCP' | 'UDP' }[]): LabPod => ({
    namespace: 'x',
    name,
    workload: `x/${name}`,
    labels: { app: name },
    serviceAccount: 'default',
    node: 'node-a',
    netns: `lab-x-${name}`,
    ip,
    ips: [ip],
    containers: [{ name, image: 'i', command: [], args: [], ports, env: {}, volumeMounts: [] }],
    configVolumes: {},
    source: 'test',
  });
  const topology = {
    pods: [pod('a', '10.244.0.2', [{ containerPort: 53, protocol: 'UDP' }]), pod('b', '10.244.0.3', [])],
    nodeIp: '10.244.0.1',
    nodeIp6: 'fd00:10:244::1',
  } as unknown as LabTopology;
  const model = buildModel({
    namespaces: [{ name: 'x' }],
    workloads: [
      { namespace: 'x', name: 'a', labels: { app: 'a' }, ips: ['10.244.0.2'], ports: [{ port: 53, protocol: 'UDP' }] },
      { namespace: 'x', name: 'b', labels: { app: 'b' }, ips: ['10.244.0.3'] },
    ],
    policies: [
      {
        manifest: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny', namespace: 'x' },
          spec: { podSelector: {}, policyTypes: ['Ingress'] },
        },
      },
    ],
  });
  const [enforced] = compileFirewall(topology, model);
  t.notMatch(enforced!.ruleset, /meta l4proto udp accept/);
  const [open] = compileFirewall(topology, model, new Set(), ['UDP']);
  const input = open!.ruleset.split('chain output')[0]!;
  t.match(input, /ct direction reply accept[\s\S]*meta l4proto udp accept[\s\S]*\n {4}drop/, 'before the final drop');
  t.equal(open!.ruleset.match(/meta l4proto udp accept/g)?.length, 2, 'input and output');
});
