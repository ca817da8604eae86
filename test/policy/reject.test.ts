// Fields outside the supported subset, or malformed, are refused naming the policy and the field.
import t from 'tap';
import { buildModel, PolicyError } from '../../src/policy/index.ts';
import { docs } from './harness.ts';

interface Row {
  readonly name: string;
  readonly yaml: string;
  /** Expected message (the policy, the field path and why). */
  readonly error: RegExp;
}

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';
const ANP = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\n';
const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: x}\n';
const AP = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: i, namespace: x}\n';

const rows: Row[] = [
  {
    name: 'unknown NetworkPolicy field',
    yaml: `${NP}spec: {podSelector: {}, egresss: []}`,
    error: /NetworkPolicy x\/p: spec\.egresss: unsupported field/,
  },
  {
    name: 'ipBlock combined with a selector',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}`,
    error: /spec\.ingress\[0\]\.from\[0\]: ipBlock cannot be combined/,
  },
  {
    name: 'empty peer',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{from: [{}]}]}`,
    error: /spec\.ingress\[0\]\.from\[0\]: a peer needs/,
  },
  {
    name: 'endPort with a named port',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}`,
    error: /spec\.ingress\[0\]\.ports\[0\]\.endPort: endPort cannot be used with a named port/,
  },
  {
    name: 'endPort below port',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: 90, endPort: 80}]}]}`,
    error: /endPort 80 is below port 90/,
  },
  {
    name: 'numeric port given as a string',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{ports: [{port: "80"}]}]}`,
    error: /ports\[0\]\.port: "80" is neither a port number nor a valid port name/,
  },
  {
    name: 'unknown protocol',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{ports: [{protocol: ICMP}]}]}`,
    error: /ports\[0\]\.protocol: unsupported protocol "ICMP"/,
  },
  {
    name: 'unknown policy type',
    yaml: `${NP}spec: {podSelector: {}, policyTypes: [Ingres]}`,
    error: /spec\.policyTypes: unknown policy type "Ingres"/,
  },
  {
    name: 'bad selector operator',
    yaml: `${NP}spec: {podSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}}`,
    error: /spec\.podSelector\.matchExpressions\[0\]\.operator: unknown operator "Equals"/,
  },
  {
    name: 'In without values',
    yaml: `${NP}spec: {podSelector: {matchExpressions: [{key: a, operator: In}]}}`,
    error: /matchExpressions\[0\]\.values: In needs at least one value/,
  },
  {
    name: 'NotIn without values',
    yaml: `${NP}spec: {podSelector: {matchExpressions: [{key: a, operator: NotIn, values: []}]}}`,
    error: /spec\.podSelector\.matchExpressions\[0\]\.values: NotIn needs at least one value/,
  },
  {
    name: 'Exists with values',
    yaml: `${NP}spec: {podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}}`,
    error: /spec\.podSelector\.matchExpressions\[0\]\.values: Exists takes no values/,
  },
  {
    name: 'DoesNotExist with values',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: DoesNotExist, values: [b]}]}}]}]}`,
    error: /ingress\[0\]\.from\[0\]\.namespaceSelector\.matchExpressions\[0\]\.values: DoesNotExist takes no values/,
  },
  {
    name: 'a selector operator in the wrong case, with the operators it takes',
    yaml: `${NP}spec: {podSelector: {matchExpressions: [{key: a, operator: in, values: [b]}]}}`,
    error: /matchExpressions\[0\]\.operator: unknown operator "in" \(expected In, NotIn, Exists, DoesNotExist\)/,
  },
  {
    name: 'a misspelt selector field',
    yaml: `${NP}spec: {podSelector: {matchLabel: {a: b}}}`,
    error: /spec\.podSelector\.matchLabel: unsupported field/,
  },
  {
    name: 'bad CIDR',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}`,
    error: /ipBlock\.cidr: "10\.0\.0\.0\/33" is not a CIDR/,
  },
  {
    name: 'except outside the CIDR',
    yaml: `${NP}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]}`,
    error: /except "10\.1\.0\.0\/24" is not inside cidr "10\.0\.0\.0\/16"/,
  },
  {
    name: 'old apiVersion',
    yaml: 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}',
    error: /apiVersion: unsupported apiVersion "extensions\/v1beta1"/,
  },
  {
    name: 'ANP node peers',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{nodes: {}}]}]}`,
    error: /AdminNetworkPolicy a: spec\.egress\[0\]\.to\[0\]\.nodes: not supported/,
  },
  {
    name: 'ANP domainNames',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{domainNames: [example.com]}]}]}`,
    error: /to\[0\]\.domainNames: not supported: FQDN/,
  },
  {
    name: 'ANP without priority',
    yaml: `${ANP}spec: {subject: {namespaces: {}}}`,
    error: /spec\.priority: is required/,
  },
  {
    name: 'ANP unknown action',
    yaml: `${ANP}spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Drop, from: [{namespaces: {}}]}]}`,
    error: /ingress\[0\]\.action: unknown action "Drop"/,
  },
  {
    name: 'BANP Pass',
    yaml: 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {}}]}]}',
    error: /BaselineAdminNetworkPolicy default: spec\.ingress\[0\]\.action: unknown action "Pass"/,
  },
  {
    name: 'BANP not named default',
    yaml: 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: other}\nspec: {subject: {namespaces: {}}}',
    error: /must be named "default"/,
  },
  {
    name: 'Cilium L7 rules',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]}`,
    error: /CiliumNetworkPolicy x\/c: spec\.ingress\[0\]\.toPorts\[0\]\.rules: not supported: L7/,
  },
  {
    name: 'Cilium toFQDNs',
    yaml: `${CNP}spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: example.com}]}]}`,
    error: /spec\.egress\[0\]\.toFQDNs: not supported/,
  },
  {
    name: 'Cilium toServices',
    yaml: `${CNP}spec: {endpointSelector: {}, egress: [{toServices: [{k8sService: {serviceName: s}}]}]}`,
    error: /spec\.egress\[0\]\.toServices: not supported/,
  },
  {
    name: 'Cilium fromRequires',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{fromRequires: [{}]}]}`,
    error: /spec\.ingress\[0\]\.fromRequires: not supported/,
  },
  {
    name: 'Cilium reserved label',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{fromEndpoints: [{matchLabels: {"reserved:host": ""}}]}]}`,
    error: /fromEndpoints\[0\]\.matchLabels: label source "reserved:" is not supported/,
  },
  {
    name: 'Cilium reserved label in matchExpressions',
    yaml: `${CNP}spec: {endpointSelector: {matchExpressions: [{key: "reserved:host", operator: Exists}]}}`,
    error: /spec\.endpointSelector\.matchExpressions\[0\]\.key: label source "reserved:" is not supported/,
  },
  {
    name: 'Cilium host entity',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{fromEntities: [host]}]}`,
    error: /spec\.ingress\[0\]\.fromEntities: entity "host" is not supported/,
  },
  {
    name: 'Cilium specs list',
    yaml: `${CNP}specs: [{endpointSelector: {}}]`,
    error: /CiliumNetworkPolicy x\/c: specs: not supported/,
  },
  {
    name: 'Cilium ICMP',
    yaml: `${CNP}spec: {endpointSelector: {}, ingress: [{icmps: [{fields: [{type: 8}]}]}]}`,
    error: /spec\.ingress\[0\]\.icmps: not supported/,
  },
  {
    name: 'Cilium endpoint selector naming another namespace',
    yaml: `${CNP}spec: {endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: y}}}`,
    error:
      /spec\.endpointSelector: io\.kubernetes\.pod\.namespace in the endpoint selector of a namespaced policy must be its own namespace "x"/,
  },
  {
    name: 'Istio when',
    yaml: `${AP}spec: {rules: [{when: [{key: request.headers[x], values: [y]}]}]}`,
    error: /AuthorizationPolicy x\/i: spec\.rules\[0\]\.when: not supported/,
  },
  {
    name: 'Istio path templates',
    yaml: `${AP}spec: {rules: [{to: [{operation: {paths: ["/{**}"]}}]}]}`,
    error: /spec\.rules\[0\]\.to\[0\]\.operation\.paths: path templates/,
  },
  {
    name: 'Istio CUSTOM action',
    yaml: `${AP}spec: {action: CUSTOM, provider: {name: ext}}`,
    error: /not supported|action CUSTOM is not supported/,
  },
  {
    name: 'Istio requestPrincipals',
    yaml: `${AP}spec: {rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}`,
    error: /source\.requestPrincipals: not supported/,
  },
  {
    name: 'Istio targetRef',
    yaml: `${AP}spec: {targetRef: {kind: Gateway, name: g}}`,
    error: /spec\.targetRef: not supported/,
  },
  {
    name: 'Istio bad pattern',
    yaml: `${AP}spec: {rules: [{from: [{source: {namespaces: ["a*b"]}}]}]}`,
    error: /source\.namespaces: "a\*b": only exact/,
  },
  {
    name: 'unsupported kind',
    yaml: 'apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata: {name: n}\nspec: {}',
    error: /kind: unsupported kind/,
  },
  {
    name: "Antrea's ClusterNetworkPolicy is not the network-policy-api one",
    yaml: 'apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: n}\nspec: {}',
    error:
      /apiVersion: unsupported apiVersion "crd\.antrea\.io\/v1beta1" for ClusterNetworkPolicy \(expected policy\.networking\.k8s\.io\/v1alpha2\)/,
  },
];

for (const row of rows) {
  t.test(row.name, (t) => {
    const error = t.throws(() => buildModel({ workloads: [], policies: docs(row.yaml) }));
    t.type(error, PolicyError);
    t.match((error as Error).message, row.error);
    t.match((error as Error).message, /^inline#1: /, 'names where the policy came from');
    t.end();
  });
}

t.test('a policy declared twice is refused', (t) => {
  const yaml = `${NP}spec: {podSelector: {}}\n---\n${NP}spec: {podSelector: {}}`;
  t.throws(
    () => buildModel({ workloads: [], policies: docs(yaml) }),
    /NetworkPolicy x\/p is declared twice \(inline#1 and inline#2\)/,
  );
  t.end();
});

t.test('harmless metadata and status are accepted', (t) => {
  const yaml = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x, labels: {a: b}, annotations: {c: d}}\nspec: {podSelector: {}}\nstatus: {}`;
  t.doesNotThrow(() => buildModel({ workloads: [], policies: docs(yaml) }));
  t.end();
});
