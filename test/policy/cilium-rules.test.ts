// CiliumNetworkPolicy rules case by case: label sources, toPorts (port 0, endPort, protocols), entities, CIDR sets,
// default deny, and what Cilium refuses. Semantics from cilium/cilium pkg/policy/api (l4.go PortProtocol: port "0"
// is every port, endPort a range, at most 40 ports; rule_validation.go: one peer kind per rule; entity.go: the
// entities) and pkg/labels (the k8s: and any: sources select pods, reserved: does not).
import t from 'tap';
import { buildModel, PolicyError } from '../../src/policy/index.ts';
import { docs, indent, type Row, runRows, topologyModel } from './harness.ts';

const cnp = (ns: string, name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const ccnp = (name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n---\n`;
const toX = (ports: string): string =>
  cnp('x', 'p', `endpointSelector: {}\ningress:\n- toPorts: [{ports: [${ports}]}]`);

const rows: Row[] = [
  {
    name: 'the any: label source selects pods like k8s:',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {matchLabels: {"any:pod": a}}\ningress:\n- fromEndpoints: [{matchLabels: {"any:pod": b}}]',
    ),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow x/b -> x/a'],
  },
  {
    name: 'a clusterwide policy: fromEndpoints without a namespace label means every namespace',
    policies: ccnp(
      'p',
      'endpointSelector: {matchLabels: {pod: a}}\ningress:\n- fromEndpoints: [{matchLabels: {pod: c}}]',
    ),
    expect: ['allow * -> *', 'deny * -> */a', 'allow */c -> */a'],
  },
  {
    name: 'a clusterwide policy may select by namespace in its endpointSelector',
    policies: ccnp('p', 'endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: y}}\ningress:\n- {}'),
    expect: ['allow * -> *', 'deny * -> y/*'],
  },
  {
    name: 'an endpointSelector naming its own namespace is the same as none',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: x, pod: a}}\ningress:\n- {}',
    ),
    expect: ['allow * -> *', 'deny * -> x/a'],
  },
  {
    name: 'port "0" is every port (probing 81)',
    policies: toX('{port: "0", protocol: TCP}'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'endPort 0 is no range: only the port (probing 81)',
    policies: toX('{port: "80", endPort: 0, protocol: TCP}'),
    port: 81,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'endPort 0 is no range: the port itself (probing 80)',
    policies: toX('{port: "80", endPort: 0, protocol: TCP}'),
    expect: ['allow * -> *'],
  },
  {
    name: 'a range ending at the port probed',
    policies: toX('{port: "79", endPort: 81, protocol: TCP}'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'a port as a YAML number',
    policies: toX('{port: 81, protocol: TCP}'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'protocol UDP does not open TCP',
    policies: toX('{port: "80", protocol: UDP}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'protocol SCTP opens SCTP',
    policies: toX('{port: "80", protocol: SCTP}'),
    protocol: 'SCTP',
    expect: ['allow * -> *'],
  },
  {
    name: 'a named port given in capitals',
    policies: toX('{port: SERVE-81-TCP}'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'a named port opens only the port of that name (probing 80 with serve-81-tcp)',
    policies: toX('{port: serve-81-tcp}'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'two toPorts entries: either opens',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: "79"}]}, {ports: [{port: "81"}]}]',
    ),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'egress toEntities all',
    policies: cnp('x', 'p', 'endpointSelector: {}\negress:\n- toEntities: [all]'),
    expect: ['allow * -> *'],
  },
  {
    name: 'egress toEntities world reaches no pod',
    policies: cnp('x', 'p', 'endpointSelector: {}\negress:\n- toEntities: [world-ipv4, world-ipv6]'),
    expect: ['allow * -> *', 'deny x/* -> *'],
  },
  {
    name: 'enableDefaultDeny ingress true without rules isolates',
    policies: cnp('x', 'p', 'endpointSelector: {}\nenableDefaultDeny: {ingress: true}\negress:\n- toEntities: [all]'),
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'enableDefaultDeny egress false: egress allow rules do not isolate',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {}\nenableDefaultDeny: {egress: false}\negress:\n- toEndpoints: [{matchLabels: {pod: a}}]',
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'egressDeny beats an allow of the same policy',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {}\negress:\n- toEntities: [all]\negressDeny:\n- toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: y}}]',
    ),
    expect: ['allow * -> *', 'deny x/* -> y/*'],
  },
  {
    name: 'ingressDeny on some ports only',
    policies: cnp(
      'x',
      'p',
      'endpointSelector: {}\ningress:\n- fromEntities: [cluster]\ningressDeny:\n- fromEntities: [cluster]\n  toPorts: [{ports: [{port: "81"}]}]',
    ),
    expect: ['allow * -> *'],
  },
  {
    name: 'a range of one port (endPort equal to port)',
    policies: toX('{port: "81", endPort: 81, protocol: TCP}'),
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'toCIDRSet never selects pods, even of a CIDR holding their IPs',
    policies: cnp('x', 'p', 'endpointSelector: {}\negress:\n- toCIDRSet: [{cidr: 10.0.0.0/8}]'),
    expect: ['allow * -> *', 'deny x/* -> *'],
  },
  {
    name: 'enableDefaultDeny ingress false: its allow rules still allow where another policy isolates',
    policies:
      cnp(
        'x',
        'soft',
        'endpointSelector: {matchLabels: {pod: a}}\nenableDefaultDeny: {ingress: false}\ningress:\n- fromEndpoints: [{matchLabels: {pod: b}}]',
      ) + cnp('x', 'iso', 'endpointSelector: {matchLabels: {pod: a}}\ningress:\n- {}'),
    expect: ['allow * -> *', 'deny * -> x/a', 'allow x/b -> x/a'],
  },
  {
    name: "a namespaced policy selecting another namespace's labels selects nothing (Cilium scopes it to its own)",
    policies: cnp('x', 'p', 'endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.ns: y}}\ningress:\n- {}'),
    expect: ['allow * -> *'],
  },
];

runRows(t, rows);

t.test('an allow rule is explained as allowing', async (t) => {
  const m = topologyModel(cnp('x', 'p', 'endpointSelector: {}\ningress:\n- fromEntities: [cluster]'));
  const d = m.decide({ from: { workload: 'y/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(d.verdict, 'allow');
  t.match(d.explanation.join('\n'), /allowed by CiliumNetworkPolicy x\/p ingress\[0\]/);
});

t.test('CIDR peers: toCIDR, toCIDRSet with except, and egress to an outside address', async (t) => {
  const cidr = topologyModel(cnp('x', 'p', 'endpointSelector: {}\negress:\n- toCIDR: [198.51.100.0/24]'));
  t.equal(cidr.decide({ from: { workload: 'x/a' }, to: { ip: '198.51.100.7' }, port: 80 }).verdict, 'allow');
  t.equal(cidr.decide({ from: { workload: 'x/a' }, to: { ip: '198.51.101.7' }, port: 80 }).verdict, 'deny');
  const ingress = topologyModel(
    cnp('x', 'p', 'endpointSelector: {}\ningress:\n- fromCIDRSet: [{cidr: 198.51.100.0/24}]'),
  );
  t.equal(ingress.decide({ from: { ip: '198.51.100.7' }, to: { workload: 'x/a' }, port: 80 }).verdict, 'allow');
  t.equal(ingress.decide({ from: { ip: '203.0.113.7' }, to: { workload: 'x/a' }, port: 80 }).verdict, 'deny');
  const world = topologyModel(cnp('x', 'p', 'endpointSelector: {}\negress:\n- toEntities: [world]'));
  t.equal(world.decide({ from: { workload: 'x/a' }, to: { ip: '203.0.113.7' }, port: 80 }).verdict, 'allow');
});

interface Refusal {
  readonly name: string;
  readonly spec: string;
  readonly error: string;
  readonly clusterwide?: boolean;
}

const refusals: Refusal[] = [
  {
    name: 'a label source other than k8s: and any:',
    spec: '{endpointSelector: {matchLabels: {"container:app": a}}}',
    error:
      'spec.endpointSelector.matchLabels: label source "container:" is not supported (only k8s: and any: select pods)',
  },
  {
    name: 'TLS settings are L7',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "443"}], terminatingTLS: {secret: {name: s}}}]}]}',
    error: 'spec.ingress[0].toPorts[0].terminatingTLS: not supported: TLS and listener settings are L7',
  },
  {
    name: 'originatingTLS too',
    spec: '{endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "443"}], originatingTLS: {secret: {name: s}}}]}]}',
    error: 'spec.egress[0].toPorts[0].originatingTLS: not supported: TLS and listener settings are L7',
  },
  {
    name: 'serverNames too',
    spec: '{endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "443"}], serverNames: [a.example]}]}]}',
    error: 'spec.egress[0].toPorts[0].serverNames: not supported: TLS and listener settings are L7',
  },
  {
    name: 'a listener too',
    spec: '{endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "443"}], listener: {name: l}}]}]}',
    error: 'spec.egress[0].toPorts[0].listener: not supported: TLS and listener settings are L7',
  },
  {
    name: 'protocol ICMP in toPorts',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", protocol: ICMP}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].protocol: unsupported protocol "ICMP" (expected TCP, UDP, SCTP or ANY)',
  },
  {
    name: 'a port entry without a port',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{protocol: TCP}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].port: is required (a number or a name)',
  },
  {
    name: 'a port above 65535',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "65536"}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].port: port 65536 is not within 1-65535',
  },
  {
    name: 'an endPort above 65535',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", endPort: 70000}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].endPort: port 70000 is not within 1-65535',
  },
  {
    name: 'an endPort below the port',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", endPort: 79}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].endPort: endPort 79 is below port 80',
  },
  {
    name: 'an endPort with a named port',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: http, endPort: 90}]}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports[0].endPort: endPort cannot be used with a named port',
  },
  {
    name: 'a toPorts entry without ports',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: []}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports: needs at least one port',
  },
  {
    name: 'a toPorts entry with no ports field',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{}]}]}',
    error: 'spec.ingress[0].toPorts[0].ports: needs at least one port',
  },
  {
    name: 'more than 40 ports in one entry',
    spec: `{endpointSelector: {}, ingress: [{toPorts: [{ports: [${Array.from({ length: 41 }, (_, i) => `{port: "${i + 1}"}`).join(', ')}]}]}]}`,
    error: 'spec.ingress[0].toPorts[0].ports: Cilium allows at most 40 ports in one entry, found 41',
  },
  {
    name: 'fromNodes',
    spec: '{endpointSelector: {}, ingress: [{fromNodes: [{}]}]}',
    error: 'spec.ingress[0].fromNodes: not supported: fromNodes is outside the supported subset',
  },
  {
    name: 'fromGroups',
    spec: '{endpointSelector: {}, ingress: [{fromGroups: [{}]}]}',
    error: 'spec.ingress[0].fromGroups: not supported: fromGroups is outside the supported subset',
  },
  {
    name: 'toRequires',
    spec: '{endpointSelector: {}, egress: [{toRequires: [{}]}]}',
    error: 'spec.egress[0].toRequires: not supported: toRequires is outside the supported subset',
  },
  {
    name: 'authentication',
    spec: '{endpointSelector: {}, ingress: [{fromEndpoints: [{}], authentication: {mode: required}}]}',
    error:
      'spec.ingress[0].authentication: not supported: mutual authentication depends on the agent, not the policy alone',
  },
  {
    name: 'an entity Cilium has but the engine does not',
    spec: '{endpointSelector: {}, egress: [{toEntities: [kube-apiserver]}]}',
    error:
      'spec.egress[0].toEntities: entity "kube-apiserver" is not supported (supported: all, cluster, world, world-ipv4, world-ipv6)',
  },
  {
    name: 'a CIDR group reference',
    spec: '{endpointSelector: {}, egress: [{toCIDRSet: [{cidrGroupRef: g}]}]}',
    error:
      'spec.egress[0].toCIDRSet[0].cidrGroupRef: not supported: CiliumCIDRGroup references are outside the supported subset',
  },
  {
    name: 'a CIDR group selector',
    spec: '{endpointSelector: {}, egress: [{toCIDRSet: [{cidrGroupSelector: {}}]}]}',
    error:
      'spec.egress[0].toCIDRSet[0].cidrGroupSelector: not supported: CiliumCIDRGroup selectors are outside the supported subset',
  },
  {
    name: 'entities and CIDRs in one rule (the second kind is named)',
    spec: '{endpointSelector: {}, egress: [{toEntities: [world], toCIDR: [10.0.0.0/8]}]}',
    error: 'spec.egress[0].toCIDR: Cilium refuses a rule combining toEntities and toCIDR; write one rule per peer kind',
  },
  {
    name: 'CIDR and CIDR sets in one rule',
    spec: '{endpointSelector: {}, ingress: [{fromCIDR: [10.0.0.0/8], fromCIDRSet: [{cidr: 10.0.0.0/8}]}]}',
    error:
      'spec.ingress[0].fromCIDRSet: Cilium refuses a rule combining fromCIDR and fromCIDRSet; write one rule per peer kind',
  },
  {
    name: 'a node selector (host policies)',
    spec: '{nodeSelector: {}}',
    error: 'spec.nodeSelector: not supported: node (host) policies are outside the supported subset',
    clusterwide: true,
  },
  {
    name: 'an endpoint selector in the own namespace with NotIn',
    spec: '{endpointSelector: {matchExpressions: [{key: io.kubernetes.pod.namespace, operator: NotIn, values: [x]}]}}',
    error:
      'spec.endpointSelector: io.kubernetes.pod.namespace in the endpoint selector of a namespaced policy must be its own namespace "x"',
  },
  {
    name: 'an endpoint selector in the own namespace and another',
    spec: '{endpointSelector: {matchExpressions: [{key: io.kubernetes.pod.namespace, operator: In, values: [x, y]}]}}',
    error:
      'spec.endpointSelector: io.kubernetes.pod.namespace in the endpoint selector of a namespaced policy must be its own namespace "x"',
  },
  {
    name: 'a port name that is not an IANA service name',
    spec: '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "-bad"}]}]}]}',
    error:
      'spec.ingress[0].toPorts[0].ports[0].port: "-bad" is neither a port number nor a valid port name (a name has 1-15 lowercase letters, digits or \'-\', with at least one letter)',
  },
  {
    name: 'ICMP rules',
    spec: '{endpointSelector: {}, ingress: [{icmps: [{fields: [{type: 8}]}]}]}',
    error: 'spec.ingress[0].icmps: not supported: ICMP rules are outside the supported subset',
  },
  {
    name: 'toServices',
    spec: '{endpointSelector: {}, egress: [{toServices: [{k8sService: {serviceName: s}}]}]}',
    error:
      'spec.egress[0].toServices: not supported: service peers are outside the supported subset (select the backends with toEndpoints)',
  },
  {
    name: 'toFQDNs',
    spec: '{endpointSelector: {}, egress: [{toFQDNs: [{matchName: a.example}]}]}',
    error: 'spec.egress[0].toFQDNs: not supported: FQDN peers depend on DNS answers at run time',
  },
  {
    name: "toFQDNs in an ingress rule is an unknown field (Cilium's IngressRule has none)",
    spec: '{endpointSelector: {}, ingress: [{toFQDNs: [{matchName: a.example}]}]}',
    error:
      'spec.ingress[0].toFQDNs: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an entity given as a list',
    spec: '{endpointSelector: {}, egress: [{toEntities: [[all]]}]}',
    error:
      'spec.egress[0].toEntities: entity ["all"] is not supported (supported: all, cluster, world, world-ipv4, world-ipv6)',
  },
  {
    name: 'a bad fromCIDR',
    spec: '{endpointSelector: {}, ingress: [{fromCIDR: [10.0.0.300/8]}]}',
    error: 'spec.ingress[0].fromCIDR: "10.0.0.300/8" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)',
  },
  {
    name: 'a bad CIDR set',
    spec: '{endpointSelector: {}, ingress: [{fromCIDRSet: [{cidr: 10.0.0.300/8}]}]}',
    error: 'spec.ingress[0].fromCIDRSet[0].cidr: "10.0.0.300/8" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)',
  },
  {
    name: 'an unknown field of the spec',
    spec: '{endpointSelector: {}, egres: []}',
    error: 'spec.egres: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an unknown field of enableDefaultDeny',
    spec: '{endpointSelector: {}, enableDefaultDeny: {ingres: true}}',
    error:
      'spec.enableDefaultDeny.ingres: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
];

for (const row of refusals) {
  t.test(`refused: ${row.name}`, async (t) => {
    const head = row.clusterwide
      ? 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\n'
      : 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: x}\n';
    const error = t.throws(() => buildModel({ workloads: [], policies: docs(`${head}spec: ${row.spec}`) }));
    t.type(error, PolicyError);
    const policy = row.clusterwide ? 'CiliumClusterwideNetworkPolicy c' : 'CiliumNetworkPolicy x/c';
    t.equal((error as Error).message, `inline#1: ${policy}: ${row.error}`);
  });
}

t.test(
  'accepted: 40 ports in one entry, a description and labels, an own-namespace In selector, port names with digits',
  async (t) => {
    const forty = Array.from({ length: 40 }, (_, i) => `{port: "${i + 1}"}`).join(', ');
    const specs = [
      `{endpointSelector: {}, ingress: [{toPorts: [{ports: [${forty}]}]}]}`,
      '{endpointSelector: {}, description: why, labels: [{key: a, value: b}]}',
      '{endpointSelector: {matchExpressions: [{key: io.kubernetes.pod.namespace, operator: In, values: [x]}]}}',
      // Port names may end or begin with digits (Kubernetes IsValidPortName): names, not numbers.
      '{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: metrics9}, {port: 9metrics}]}]}]}',
    ];
    for (const spec of specs) {
      const yaml = `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: x}\nspec: ${spec}`;
      t.doesNotThrow(() => buildModel({ workloads: [], policies: docs(yaml) }), spec.slice(0, 60));
    }
  },
);
