// Which objects are policy the engine evaluates, which are policy it does not (an error: a CI gate fails
// closed), which are nothing to it; and how `--ignore-kind KIND[.group]` is read and matched.
import t from 'tap';
import { apiGroup, leftOutWarnings } from '../../src/policy/groups.ts';
import { classifyObject, kindMatches, parseKindFilter, qualifiedKind } from '../../src/policy/index.ts';

/** One object and what the engine takes it for: evaluated, policy of `vendor` it does not evaluate, or other. */
interface ClassifyRow {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly role: 'evaluated' | 'other' | { readonly vendor: string; readonly group: string };
}

const classifyRows: ClassifyRow[] = [
  {
    name: 'a NetworkPolicy is evaluated',
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    role: 'evaluated',
  },
  {
    name: 'an evaluated kind at a version the parser does not read is still evaluated (the parser names the versions)',
    apiVersion: 'networking.k8s.io/v2',
    kind: 'NetworkPolicy',
    role: 'evaluated',
  },
  {
    name: "an evaluated kind's second apiVersion is evaluated",
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'AuthorizationPolicy',
    role: 'evaluated',
  },
  {
    name: 'an evaluated kind in a group nobody lists is evaluated (and refused by the parser)',
    apiVersion: 'example.com/v1',
    kind: 'NetworkPolicy',
    role: 'evaluated',
  },
  {
    name: 'an evaluated kind in the core group is evaluated (and refused by the parser), not policy of another vendor',
    apiVersion: 'v1',
    kind: 'NetworkPolicy',
    role: 'evaluated',
  },
  {
    name: "Antrea's ClusterNetworkPolicy is not the network-policy-api one: policy the engine does not evaluate",
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    role: { vendor: 'Antrea', group: 'crd.antrea.io' },
  },
  {
    name: 'a kind outside onlyKinds of a listed group is no policy (Ingress)',
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    role: 'other',
  },
  {
    name: 'a kind in exceptKinds is no policy (Calico IPPool)',
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPPool',
    role: 'other',
  },
  {
    name: 'a kind of a group with exceptKinds that is not excepted is policy (Calico GlobalNetworkPolicy)',
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'GlobalNetworkPolicy',
    role: { vendor: 'Calico', group: 'crd.projectcalico.org' },
  },
  {
    name: 'every kind of a group with neither list is policy (Istio RequestAuthentication)',
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    role: { vendor: 'Istio', group: 'security.istio.io' },
  },
  {
    name: 'every kind of a group with neither list is policy, whatever its name (Linkerd AuthorizationPolicy)',
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    role: { vendor: 'Linkerd', group: 'policy.linkerd.io' },
  },
  {
    name: 'a kind in onlyKinds of a group the engine partly evaluates is policy (CiliumCIDRGroup)',
    apiVersion: 'cilium.io/v2alpha1',
    kind: 'CiliumCIDRGroup',
    role: { vendor: 'Cilium', group: 'cilium.io' },
  },
  {
    name: 'a kind outside onlyKinds of cilium.io is no policy',
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumEndpoint',
    role: 'other',
  },
  { name: 'a core object is no policy', apiVersion: 'v1', kind: 'ConfigMap', role: 'other' },
  { name: 'an object of an unlisted group is no policy', apiVersion: 'apps/v1', kind: 'Deployment', role: 'other' },
  {
    name: 'a kind named like an Object method is no evaluated kind (own keys only)',
    apiVersion: 'v1',
    kind: 'toString',
    role: 'other',
  },
];

/**
 * The kinds each vendor's API group serves (from its CRDs), split into policy the engine does not evaluate
 * (refused unless --ignore-kind) and kinds that hold none (pools, routing, status: left alone). A kind
 * missing from the first list would let its traffic pass as allowed; one missing from the second would
 * fail every run whose manifests hold, say, a Calico IPPool.
 */
const vendorKinds: { apiVersion: string; vendor: string; policy: string[]; other: string[] }[] = [
  { apiVersion: 'networking.k8s.io/v1', vendor: 'Kubernetes', policy: [], other: ['Ingress', 'IngressClass'] },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    vendor: 'Kubernetes network-policy-api',
    policy: ['AdminNetworkPolicyV2'], // none yet: every kind the group serves is evaluated; a new one would be this
    other: [],
  },
  {
    apiVersion: 'crd.projectcalico.org/v1',
    vendor: 'Calico',
    policy: ['GlobalNetworkPolicy', 'NetworkPolicy', 'GlobalNetworkSet', 'NetworkSet', 'HostEndpoint', 'Tier'],
    other: [
      'BGPConfiguration',
      'BGPFilter',
      'BGPPeer',
      'BlockAffinity',
      'CalicoNodeStatus',
      'ClusterInformation',
      'FelixConfiguration',
      'IPAMBlock',
      'IPAMConfig',
      'IPAMHandle',
      'IPPool',
      'IPReservation',
      'KubeControllersConfiguration',
    ],
  },
  {
    apiVersion: 'projectcalico.org/v3',
    vendor: 'Calico',
    policy: ['GlobalNetworkPolicy', 'StagedNetworkPolicy', 'Tier'],
    other: [
      'BGPConfiguration',
      'BGPFilter',
      'BGPPeer',
      'BlockAffinity',
      'CalicoNodeStatus',
      'ClusterInformation',
      'FelixConfiguration',
      'IPAMConfiguration',
      'IPPool',
      'IPReservation',
      'KubeControllersConfiguration',
    ],
  },
  {
    apiVersion: 'crd.antrea.io/v1beta1',
    vendor: 'Antrea',
    policy: ['ClusterNetworkPolicy', 'NetworkPolicy', 'Tier', 'ClusterGroup', 'Group'],
    other: [
      'BGPPolicy',
      'Egress',
      'ExternalIPPool',
      'ExternalNode',
      'IPPool',
      'NodeLatencyMonitor',
      'PacketCapture',
      'SupportBundleCollection',
      'Traceflow',
      'TrafficControl',
    ],
  },
  {
    apiVersion: 'cilium.io/v2alpha1',
    vendor: 'Cilium',
    policy: ['CiliumCIDRGroup'], // CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy are evaluated
    other: ['CiliumEndpoint', 'CiliumLoadBalancerIPPool'],
  },
  { apiVersion: 'security.istio.io/v1', vendor: 'Istio', policy: ['RequestAuthentication'], other: [] },
  { apiVersion: 'policy.linkerd.io/v1beta3', vendor: 'Linkerd', policy: ['Server', 'AuthorizationPolicy'], other: [] },
  { apiVersion: 'k8s.ovn.org/v1', vendor: 'OVN-Kubernetes', policy: ['EgressFirewall'], other: ['EgressIP'] },
  {
    apiVersion: 'network.openshift.io/v1',
    vendor: 'OpenShift',
    policy: ['EgressNetworkPolicy'],
    other: ['HostSubnet'],
  },
  {
    apiVersion: 'consul.hashicorp.com/v1alpha1',
    vendor: 'Consul',
    policy: ['ServiceIntentions'],
    other: ['ServiceDefaults'],
  },
  {
    apiVersion: 'kuma.io/v1alpha1',
    vendor: 'Kuma',
    policy: ['MeshTrafficPermission', 'TrafficPermission'],
    other: ['Mesh'],
  },
];

t.test('each vendor group: its policy kinds are refused, its other kinds left alone', async (t) => {
  for (const { apiVersion, vendor, policy, other } of vendorKinds) {
    const group = apiVersion.split('/')[0]!;
    for (const kind of policy) {
      t.same(classifyObject(apiVersion, kind), { role: 'unevaluated-policy', group, vendor }, `${vendor} ${kind}`);
    }
    for (const kind of other) t.same(classifyObject(apiVersion, kind), { role: 'other' }, `${vendor} ${kind}`);
  }
});

t.test('classifyObject', async (t) => {
  for (const row of classifyRows) {
    const expected = typeof row.role === 'string' ? { role: row.role } : { role: 'unevaluated-policy', ...row.role };
    t.same(classifyObject(row.apiVersion, row.kind), expected, row.name);
  }
});

t.test('the group of an apiVersion', async (t) => {
  t.equal(apiGroup('v1'), '', 'the core group is the empty string');
  t.equal(apiGroup('crd.projectcalico.org/v1'), 'crd.projectcalico.org', 'the part before the slash');
  t.equal(qualifiedKind('v1', 'ConfigMap'), 'ConfigMap', 'a core kind is named without a group');
  t.equal(
    qualifiedKind('crd.projectcalico.org/v3', 'GlobalNetworkPolicy'),
    'GlobalNetworkPolicy.crd.projectcalico.org',
    'any other kind as Kind.group, the way --ignore-kind takes it',
  );
});

const longLabel = 'a'.repeat(251);
/** `--ignore-kind` values: what each is read as, or null when it is refused. */
const filterRows: { name: string; text: string; filter: { kind: string; group: string | undefined } | null }[] = [
  { name: 'a kind alone', text: 'ClusterNetworkPolicy', filter: { kind: 'ClusterNetworkPolicy', group: undefined } },
  {
    name: 'a kind and its group',
    text: 'GlobalNetworkPolicy.crd.projectcalico.org',
    filter: { kind: 'GlobalNetworkPolicy', group: 'crd.projectcalico.org' },
  },
  {
    name: 'the group is read in lower case',
    text: 'networkpolicy.Networking.K8s.IO',
    filter: { kind: 'networkpolicy', group: 'networking.k8s.io' },
  },
  { name: 'a one-letter kind and group', text: 'K.a', filter: { kind: 'K', group: 'a' } },
  { name: 'one-letter labels after the first', text: 'Kind.k8s.a.b', filter: { kind: 'Kind', group: 'k8s.a.b' } },
  { name: 'a kind with digits', text: 'Kind2.a-b.c9', filter: { kind: 'Kind2', group: 'a-b.c9' } },
  {
    name: 'a kind of 63 characters',
    text: `K${'k'.repeat(62)}`,
    filter: { kind: `K${'k'.repeat(62)}`, group: undefined },
  },
  { name: 'a kind of 64 characters', text: `K${'k'.repeat(63)}`, filter: null },
  { name: 'a kind starting with a digit', text: '2Kind', filter: null },
  { name: 'a kind with a dash', text: 'Network-Policy', filter: null },
  { name: 'an empty text', text: '', filter: null },
  { name: 'a dot and no group', text: 'Kind.', filter: null },
  { name: 'a group label starting with a dash', text: 'Kind.-a', filter: null },
  { name: 'a group label ending with a dash', text: 'Kind.a-', filter: null },
  { name: 'an empty group label', text: 'Kind.a..b', filter: null },
  { name: 'a group with an underscore', text: 'Kind.a_b', filter: null },
  { name: 'a leading space', text: ' Kind', filter: null },
  { name: 'a trailing space', text: 'Kind ', filter: null },
  { name: 'exactly 253 characters', text: `K.${longLabel}`, filter: { kind: 'K', group: longLabel } },
  { name: '254 characters', text: `K.${longLabel}a`, filter: null },
];

t.test('parseKindFilter', async (t) => {
  for (const row of filterRows) {
    const got = parseKindFilter(row.text);
    if (row.filter) t.same(got, row.filter, row.name);
    else
      t.equal(
        got,
        `"${row.text}" is not KIND or KIND.group (e.g. ClusterNetworkPolicy or GlobalNetworkPolicy.crd.projectcalico.org)`,
        `${row.name} is refused`,
      );
  }
});

t.test('kindMatches', async (t) => {
  const filter = (text: string) => parseKindFilter(text) as Exclude<ReturnType<typeof parseKindFilter>, string>;
  const rows: [string, string, string, string, boolean][] = [
    [
      'a kind alone matches in any group',
      'GlobalNetworkPolicy',
      'crd.projectcalico.org/v1',
      'GlobalNetworkPolicy',
      true,
    ],
    ['the kind matches case-insensitively', 'globalnetworkpolicy', 'projectcalico.org/v3', 'GlobalNetworkPolicy', true],
    [
      'a kind alone does not match another kind',
      'GlobalNetworkPolicy',
      'crd.projectcalico.org/v1',
      'NetworkPolicy',
      false,
    ],
    [
      'Kind.group matches that group',
      'ClusterNetworkPolicy.crd.antrea.io',
      'crd.antrea.io/v1beta1',
      'ClusterNetworkPolicy',
      true,
    ],
    [
      'Kind.group does not match the kind in another group',
      'ClusterNetworkPolicy.crd.antrea.io',
      'policy.networking.k8s.io/v1alpha2',
      'ClusterNetworkPolicy',
      false,
    ],
    ['the group matches case-insensitively', 'Widget.example.com', 'Example.COM/v1', 'Widget', true],
    ['Kind.group does not match another kind of that group', 'Widget.example.com', 'example.com/v1', 'Gadget', false],
  ];
  for (const [name, text, apiVersion, kind, expected] of rows) {
    t.equal(kindMatches(filter(text), apiVersion, kind), expected, name);
  }
});

t.test('objects left out on request are said out loud, one line per Kind.group', async (t) => {
  t.same(leftOutWarnings({}), [], 'nothing left out: nothing said');
  t.same(leftOutWarnings({ 'GlobalNetworkPolicy.crd.projectcalico.org': 2, ClusterNetworkPolicy: 1 }), [
    'left out 2 GlobalNetworkPolicy.crd.projectcalico.org object(s) as asked by --ignore-kind: the matrix does not reflect them',
    'left out 1 ClusterNetworkPolicy object(s) as asked by --ignore-kind: the matrix does not reflect them',
  ]);
});
