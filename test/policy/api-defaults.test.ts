// Fields the API server defaults or accepts as null/absent read the same here; what it refuses is refused.
import t from 'tap';
import { buildModel, type Model, PolicyError } from '../../src/policy/index.ts';
import { docs, topologyModel } from './harness.ts';

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';
const ANP = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\n';
const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: x}\n';
const AP = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: i, namespace: x}\n';
const PA = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: m, namespace: x}\n';

/** Every cell on a few ports, as text, to compare two models. */
function cells(model: Model): string[] {
  const out: string[] = [];
  for (const [port, protocol] of [
    [80, 'TCP'],
    [81, 'UDP'],
    [80, 'SCTP'],
  ] as const) {
    const m = model.matrix(port, protocol);
    for (const a of m.workloads)
      for (const b of m.workloads) out.push(`${a.id}>${b.id}:${port}/${protocol}=${m.computed(a.index, b.index)}`);
  }
  return out;
}

/** A field left null or out, and the same policy with the API's default written out. */
const same: { name: string; given: string; means: string; mesh?: boolean; injected?: boolean }[] = [
  {
    name: 'NetworkPolicy podSelector null is every pod',
    given: `${NP}spec:\n  podSelector:\n  ingress: [{from: [{podSelector: {}}]}]`,
    means: `${NP}spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}`,
  },
  {
    name: 'NetworkPolicy podSelector absent is every pod',
    given: `${NP}spec: {policyTypes: [Ingress]}`,
    means: `${NP}spec: {podSelector: {}, policyTypes: [Ingress]}`,
  },
  {
    name: 'NetworkPolicy spec absent: deny all ingress of the namespace',
    given: NP,
    means: `${NP}spec: {podSelector: {}, policyTypes: [Ingress]}`,
  },
  { name: 'NetworkPolicy spec null', given: `${NP}spec:`, means: `${NP}spec: {podSelector: {}}` },
  {
    name: 'policyTypes null is inferred',
    given: `${NP}spec: {podSelector: {}, policyTypes: null, egress: [{}]}`,
    means: `${NP}spec: {podSelector: {}, policyTypes: [Ingress, Egress], egress: [{}]}`,
  },
  {
    name: 'ingress null is no rule',
    given: `${NP}spec: {podSelector: {}, ingress: null}`,
    means: `${NP}spec: {podSelector: {}, ingress: []}`,
  },
  {
    name: 'from and ports null are everything',
    given: `${NP}spec: {podSelector: {}, ingress: [{from: null, ports: null}]}`,
    means: `${NP}spec: {podSelector: {}, ingress: [{}]}`,
  },
  {
    name: 'protocol null is TCP',
    given: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: 80, protocol: null}]}]}`,
    means: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: 80, protocol: TCP}]}]}`,
  },
  {
    name: 'port null is every port of the protocol',
    given: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: null, protocol: UDP}]}]}`,
    means: `${NP}spec: {podSelector: {}, ingress: [{ports: [{protocol: UDP}]}]}`,
  },
  {
    name: 'a peer with a null selector has only the other one',
    given: `${NP}spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: null}]}]}`,
    means: `${NP}spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]}`,
  },
  {
    name: 'matchLabels and matchExpressions null select everything',
    given: `${NP}spec: {podSelector: {matchLabels: null, matchExpressions: null}}`,
    means: `${NP}spec: {podSelector: {}}`,
  },
  {
    name: 'Exists with values null',
    given: `${NP}spec: {podSelector: {matchExpressions: [{key: pod, operator: Exists, values: null}]}}`,
    means: `${NP}spec: {podSelector: {matchExpressions: [{key: pod, operator: Exists}]}}`,
  },
  {
    name: 'ANP ports null is every port; portNumber protocol null is TCP',
    given: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}], ports: null}, {action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {port: 80, protocol: null}}]}]}`,
    means: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {port: 80, protocol: TCP}}]}]}`,
  },
  {
    name: 'ANP ingress null is no rule',
    given: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: null}`,
    means: `${ANP}spec: {priority: 1, subject: {namespaces: {}}}`,
  },
  {
    name: 'Cilium enableDefaultDeny null and protocol null are their defaults',
    given: `${CNP}spec: {endpointSelector: {}, enableDefaultDeny: {ingress: null}, ingress: [{toPorts: [{ports: [{port: "80", protocol: null}]}]}]}`,
    means: `${CNP}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", protocol: ANY}]}]}]}`,
  },
  {
    name: 'Cilium port names are case-insensitive',
    given: `${CNP}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: Serve-80-TCP}]}]}]}`,
    means: `${CNP}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: serve-80-tcp}]}]}]}`,
  },
  {
    name: 'Istio action null is ALLOW',
    given: `${AP}spec: {action: null, rules: [{from: [{source: {namespaces: [y]}}]}]}`,
    means: `${AP}spec: {action: ALLOW, rules: [{from: [{source: {namespaces: [y]}}]}]}`,
    mesh: true,
  },
  {
    name: 'Istio selector without labels is namespace-wide',
    given: `${AP}spec: {selector: {matchLabels: {}}, rules: [{from: [{source: {namespaces: [y]}}]}]}`,
    means: `${AP}spec: {rules: [{from: [{source: {namespaces: [y]}}]}]}`,
    mesh: true,
  },
  {
    name: 'PeerAuthentication selector without labels is namespace-wide (a workload one would win over it)',
    given: `${PA}spec: {selector: {matchLabels: {}}, mtls: {mode: STRICT}}\n---\n${PA.replace('name: m', 'name: w')}spec: {selector: {matchLabels: {pod: a}}, mtls: {mode: PERMISSIVE}}`,
    means: `${PA}spec: {mtls: {mode: STRICT}}\n---\n${PA.replace('name: m', 'name: w')}spec: {selector: {matchLabels: {pod: a}}, mtls: {mode: PERMISSIVE}}`,
    injected: true,
  },
];

for (const row of same) {
  t.test(`same as the default: ${row.name}`, (t) => {
    const options = row.mesh ? { assumeMesh: true } : {};
    // Sidecars in x only, so sources from y and z have no mTLS identity and STRICT shows.
    const labels: Record<string, Record<string, string>> = row.injected ? { x: { 'istio-injection': 'enabled' } } : {};
    const given = cells(topologyModel(row.given, options, labels));
    t.same(given, cells(topologyModel(row.means, options, labels)));
    if (row.injected)
      t.ok(
        given.some((c) => c.endsWith('=deny')),
        'the mTLS mode decides some cells',
      );
    t.end();
  });
}

/** What the API server (or the CRD's schema, or the controller's validation) refuses. */
const refused: { name: string; yaml: string; error: RegExp }[] = [
  {
    name: 'ANP ports: [] (MinItems 1)',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}], ports: []}]}`,
    error: /spec\.ingress\[0\]\.ports: needs 1-100 items, found 0/,
  },
  {
    name: 'ANP networks: [] (MinItems 1)',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: []}]}]}`,
    error: /to\[0\]\.networks: needs 1-25 items/,
  },
  {
    name: 'ANP pods.podSelector null (required)',
    yaml: `${ANP}spec: {priority: 1, subject: {pods: {namespaceSelector: {}, podSelector: null}}}`,
    error: /spec\.subject\.pods\.podSelector: is required/,
  },
  {
    name: 'ANP subject null (required)',
    yaml: `${ANP}spec: {priority: 1, subject: null}`,
    error: /spec\.subject: is required/,
  },
  {
    name: 'ANP named port with a networks peer',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{networks: [10.0.0.0/8]}], ports: [{namedPort: web}]}]}`,
    error: /egress\[0\]\.ports: a named port cannot be used with networks peers/,
  },
  {
    name: 'ANP rule name over 100 characters',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: [{name: ${'n'.repeat(101)}, action: Deny, from: [{namespaces: {}}]}]}`,
    error: /ingress\[0\]\.name: is longer than 100/,
  },
  {
    name: 'Cilium endpointSelector null',
    yaml: `${CNP}spec: {endpointSelector: null}`,
    error: /spec\.endpointSelector: is required/,
  },
  {
    name: 'Cilium rule combining endpoints and CIDRs',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{fromEndpoints: [{}], fromCIDR: [10.0.0.0/8]}]}`,
    error: /ingress\[0\]\.fromCIDR: Cilium refuses a rule combining fromEndpoints and fromCIDR/,
  },
  {
    name: 'Cilium lowercase protocol (the CRD enum)',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", protocol: tcp}]}]}]}`,
    error: /protocol: unsupported protocol "tcp"/,
  },
  {
    name: 'Istio DENY without rules',
    yaml: `${AP}spec: {action: DENY}`,
    error: /AuthorizationPolicy x\/i: spec\.rules: a DENY policy without rules is refused/,
  },
  {
    name: 'Istio from without source',
    yaml: `${AP}spec: {rules: [{from: [{}]}]}`,
    error: /spec\.rules\[0\]\.from\[0\]\.source: is required/,
  },
  {
    name: 'Istio empty source',
    yaml: `${AP}spec: {rules: [{from: [{source: {}}]}]}`,
    error: /from\[0\]\.source: must not be empty/,
  },
  {
    name: 'Istio empty operation',
    yaml: `${AP}spec: {rules: [{to: [{operation: {ports: null}}]}]}`,
    error: /to\[0\]\.operation: must not be empty/,
  },
  {
    name: 'Istio empty string value',
    yaml: `${AP}spec: {rules: [{from: [{source: {namespaces: [""]}}]}]}`,
    error: /source\.namespaces: an empty value is refused/,
  },
  {
    name: 'PeerAuthentication portLevelMtls without selector labels',
    yaml: `${PA}spec: {selector: {matchLabels: {}}, portLevelMtls: {80: {mode: DISABLE}}}`,
    error: /spec\.portLevelMtls: portLevelMtls needs a selector with matchLabels/,
  },
];

for (const row of refused) {
  t.test(`refused like the API: ${row.name}`, (t) => {
    t.throws(() => buildModel({ workloads: [], policies: docs(row.yaml) }), PolicyError);
    t.throws(() => buildModel({ workloads: [], policies: docs(row.yaml) }), row.error);
    t.end();
  });
}

t.test('a namespaced policy without a namespace is in the loader-given default namespace', (t) => {
  const model = buildModel({
    workloads: [
      { namespace: 'shop', name: 'web', labels: {} },
      { namespace: 'default', name: 'web', labels: {} },
    ],
    policies: [{ ...docs(`${NP.replace(', namespace: x', '')}spec: {}`)[0]!, namespace: 'shop' }],
  });
  t.equal(
    model.decide({ from: { workload: 'default/web' }, to: { workload: 'shop/web' }, port: 80 }).computed,
    'deny',
    'isolates shop',
  );
  t.equal(
    model.decide({ from: { workload: 'shop/web' }, to: { workload: 'default/web' }, port: 80 }).computed,
    'allow',
    'not default',
  );
  t.end();
});
