// Istio AuthorizationPolicy and PeerAuthentication case by case: workload selectors, value patterns, sources and
// operations, IP blocks, and what Istio refuses. Semantics from istio.io's reference (security/authorization-policy:
// "exact, prefix*, *suffix and * matches", an empty selector is namespace-wide, a DENY policy needs rules) and
// istio/istio pilot/pkg/security/authz/model (principals are <trust domain>/ns/<namespace>/sa/<account>; without
// mTLS a source has no principal, so positive identity fields fail and negated ones hold).
import t from 'tap';
import { buildModel, PolicyError } from '../../src/policy/index.ts';
import { docs, indent, type Row, runRows, topologyModel } from './harness.ts';

const ap = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const pa = (ns: string, name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;
const mesh = { assumeMesh: true };
const from = (source: string): string => ap('x', 'p', `rules:\n- from: [{source: ${source}}]`);

const rows: Row[] = [
  {
    name: 'selector matchLabels {} is namespace-wide',
    policies: ap('x', 'p', 'selector: {matchLabels: {}}\nrules:\n- from: [{source: {namespaces: [y]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'selector without matchLabels is namespace-wide',
    policies: ap('x', 'p', 'selector: {}\nrules:\n- from: [{source: {namespaces: [y]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'namespaces: a prefix pattern',
    policies: from('{namespaces: ["z*"]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'namespaces: a suffix pattern',
    policies: from('{namespaces: ["*y"]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'namespaces: * is any source with an identity',
    policies: from('{namespaces: ["*"]}'),
    options: mesh,
    expect: ['allow * -> *'],
  },
  {
    name: 'namespaces: an exact value is not a prefix',
    policies: from('{namespaces: ["y-other"]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'principals: exact',
    policies: from('{principals: [cluster.local/ns/y/sa/default]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'principals carry the trust domain',
    policies: from('{principals: [example.org/ns/y/sa/default]}'),
    options: { ...mesh, trustDomain: 'example.org' },
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'principals of another trust domain do not match',
    policies: from('{principals: [cluster.local/ns/y/sa/default]}'),
    options: { ...mesh, trustDomain: 'example.org' },
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'notPrincipals',
    policies: from('{notPrincipals: ["*/ns/y/sa/default"]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'every field of one source must hold',
    policies: from('{namespaces: [y, z], notPrincipals: [cluster.local/ns/z/sa/default]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'any source of a rule may hold',
    policies: ap('x', 'p', 'rules:\n- from: [{source: {namespaces: [y]}}, {source: {namespaces: [z]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*', 'allow z/* -> x/*'],
  },
  {
    name: 'to.operation.notPorts (probing 80)',
    policies: ap('x', 'p', 'rules:\n- to: [{operation: {notPorts: ["80"]}}]'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*'],
  },
  {
    name: 'to.operation.notPorts (probing 81)',
    policies: ap('x', 'p', 'rules:\n- to: [{operation: {notPorts: ["80"]}}]'),
    options: mesh,
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'to.operation.ports given as YAML numbers',
    policies: ap('x', 'p', 'rules:\n- to: [{operation: {ports: [81]}}]'),
    options: mesh,
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'a DENY rule on ports only denies on those ports',
    policies: ap('x', 'p', 'action: DENY\nrules:\n- to: [{operation: {ports: ["81"]}}]'),
    options: mesh,
    expect: ['allow * -> *'],
  },
  {
    name: 'ipBlocks: a single address',
    policies: from('{ipBlocks: [10.0.2.1]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/a -> x/*'],
  },
  {
    name: 'notIpBlocks',
    policies: from('{notIpBlocks: [10.0.2.0/24]}'),
    options: mesh,
    expect: ['allow * -> *', 'deny y/* -> x/*'],
  },
  {
    name: 'a mesh-wide STRICT PeerAuthentication in the root namespace',
    policies: pa('istio-system', 'default', 'mtls: {mode: STRICT}'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' }, y: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny z/* -> x/*', 'deny z/* -> y/*'],
  },
  {
    name: 'PeerAuthentication without mtls is UNSET: inherits PERMISSIVE',
    policies: pa('x', 'p', 'selector: {matchLabels: {pod: a}}'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *'],
  },
  {
    name: 'from: [] matches any source, as an absent from does (proto3: an empty list is an unset field)',
    policies: ap('x', 'p', 'rules:\n- from: []\n  to: [{operation: {ports: ["81"]}}]'),
    options: mesh,
    port: 81,
    expect: ['allow * -> *'],
  },
  {
    name: 'to: [] matches any operation, as an absent to does',
    policies: ap('x', 'p', 'rules:\n- from: [{source: {namespaces: [y]}}]\n  to: []'),
    options: mesh,
    expect: ['allow * -> *', 'deny * -> x/*', 'allow y/* -> x/*'],
  },
  {
    name: 'mtls without a mode is UNSET: inherits the mesh-wide STRICT',
    policies: pa('istio-system', 'default', 'mtls: {mode: STRICT}') + pa('x', 'p', 'mtls: {}'),
    namespaceLabels: { x: { 'istio-injection': 'enabled' }, y: { 'istio-injection': 'enabled' } },
    expect: ['allow * -> *', 'deny z/* -> x/*', 'deny z/* -> y/*'],
  },
];

runRows(t, rows);

t.test('IPv6 single addresses in ipBlocks are /128', async (t) => {
  const m = buildModel(
    {
      workloads: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['fd00::1'] },
        { namespace: 'x', name: 'b', labels: { pod: 'b' }, ips: ['fd00::2'] },
        { namespace: 'x', name: 'c', labels: { pod: 'c' }, ips: ['fd00::3'] },
      ],
      policies: docs(
        ap('x', 'p', 'selector: {matchLabels: {pod: c}}\nrules:\n- from: [{source: {ipBlocks: ["fd00::1"]}}]'),
      ),
    },
    mesh,
  );
  t.equal(m.decide({ from: { workload: 'x/a' }, to: { workload: 'x/c' }, port: 80 }).verdict, 'allow');
  t.equal(m.decide({ from: { workload: 'x/b' }, to: { workload: 'x/c' }, port: 80 }).verdict, 'deny');
});

t.test('ipBlocks over pods of unknown IP: unknown, not a guess', async (t) => {
  const m = buildModel(
    {
      workloads: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' } },
        { namespace: 'x', name: 'c', labels: { pod: 'c' }, ips: ['10.0.0.3'] },
      ],
      policies: docs(
        ap('x', 'p', 'selector: {matchLabels: {pod: c}}\nrules:\n- from: [{source: {ipBlocks: [10.0.0.0/24]}}]'),
      ),
    },
    mesh,
  );
  const d = m.decide({ from: { workload: 'x/a' }, to: { workload: 'x/c' }, port: 80 });
  t.equal(d.computed, 'unknown');
  t.match(d.explanation.join('\n'), /depends on pod IPs the manifests do not give/);
});

t.test('STRICT without a sidecar: denied by the PeerAuthentication, named', async (t) => {
  const m = topologyModel(pa('x', 'strict', 'mtls: {mode: STRICT}'), {}, { x: { 'istio-injection': 'enabled' } });
  const d = m.decide({ from: { workload: 'y/a' }, to: { workload: 'x/a' }, port: 80 });
  t.equal(d.verdict, 'deny');
  t.same(d.mesh?.rules, ['PeerAuthentication x/strict']);
  t.match(
    d.explanation.join('\n'),
    /mesh at x\/a: PeerAuthentication x\/strict requires mTLS and y\/a has no sidecar: denied/,
  );
});

interface Refusal {
  readonly name: string;
  readonly doc: string;
  readonly error: string;
}

const AP = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: i, namespace: x}\n';
const PA = 'apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: i, namespace: x}\n';
const refusals: Refusal[] = [
  {
    name: 'an empty pattern',
    doc: `${AP}spec: {rules: [{from: [{source: {principals: [""]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].from[0].source.principals: an empty value is refused by Istio',
  },
  {
    name: 'a pattern with * on both ends',
    doc: `${AP}spec: {rules: [{from: [{source: {namespaces: ["*y*"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.namespaces: "*y*": only exact, prefix*, *suffix or * are valid',
  },
  {
    name: 'a notNamespaces pattern with * inside',
    doc: `${AP}spec: {rules: [{from: [{source: {notNamespaces: ["a*b"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.notNamespaces: "a*b": only exact, prefix*, *suffix or * are valid',
  },
  {
    name: 'a notPrincipals pattern with * inside',
    doc: `${AP}spec: {rules: [{from: [{source: {notPrincipals: ["a*b"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.notPrincipals: "a*b": only exact, prefix*, *suffix or * are valid',
  },
  {
    name: 'a port that is not a number',
    doc: `${AP}spec: {rules: [{to: [{operation: {ports: [http]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.ports: expected port numbers, found "http"',
  },
  {
    name: 'a notPort out of range',
    doc: `${AP}spec: {rules: [{to: [{operation: {notPorts: ["0"]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.notPorts: port 0 is not within 1-65535',
  },
  {
    name: 'an empty source',
    doc: `${AP}spec: {rules: [{from: [{source: {}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].from[0].source: must not be empty (Istio refuses it)',
  },
  {
    name: 'a source whose only field is null (null is absent: the source is empty)',
    doc: `${AP}spec: {rules: [{from: [{source: {principals: null}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].from[0].source: must not be empty (Istio refuses it)',
  },
  {
    name: 'a from entry without a source',
    doc: `${AP}spec: {rules: [{from: [{}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].from[0].source: is required',
  },
  {
    name: 'an empty operation',
    doc: `${AP}spec: {rules: [{to: [{operation: {}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation: must not be empty (Istio refuses it)',
  },
  {
    name: 'remoteIpBlocks',
    doc: `${AP}spec: {rules: [{from: [{source: {remoteIpBlocks: [10.0.0.0/8]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.remoteIpBlocks: not supported: request principals (JWT) and remote IP blocks (X-Forwarded-For) are outside the supported subset',
  },
  {
    name: 'targetRefs',
    doc: `${AP}spec: {targetRefs: [{kind: Gateway, name: g}]}`,
    error:
      'AuthorizationPolicy x/i: spec.targetRefs: not supported: targetRefs (gateways, waypoints) is outside the supported subset; use selector',
  },
  {
    name: 'a provider',
    doc: `${AP}spec: {provider: {name: ext}, rules: [{}]}`,
    error: 'AuthorizationPolicy x/i: spec.provider: not supported: CUSTOM providers decide outside the policy',
  },
  {
    name: 'a DENY policy without rules',
    doc: `${AP}spec: {action: DENY, rules: []}`,
    error:
      'AuthorizationPolicy x/i: spec.rules: a DENY policy without rules is refused by Istio (add a rule `{}` to deny everything)',
  },
  {
    name: 'an unknown mTLS mode',
    doc: `${PA}spec: {mtls: {mode: strict}}`,
    error:
      'PeerAuthentication x/i: spec.mtls.mode: unknown mode "strict" (expected UNSET, DISABLE, PERMISSIVE, STRICT)',
  },
  {
    name: 'portLevelMtls without a selector',
    doc: `${PA}spec: {portLevelMtls: {"80": {mode: DISABLE}}}`,
    error:
      'PeerAuthentication x/i: spec.portLevelMtls: portLevelMtls needs a selector with matchLabels (Istio refuses it on a namespace- or mesh-wide policy)',
  },
  {
    name: 'portLevelMtls keyed by a name',
    doc: `${PA}spec: {selector: {matchLabels: {pod: a}}, portLevelMtls: {http: {mode: DISABLE}}}`,
    error: 'PeerAuthentication x/i: spec.portLevelMtls.http: expected a port number',
  },
  {
    name: 'an unknown field of a port-level mode',
    doc: `${PA}spec: {selector: {matchLabels: {pod: a}}, portLevelMtls: {"80": {mode: DISABLE, other: 1}}}`,
    error:
      'PeerAuthentication x/i: spec.portLevelMtls.80.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: "a selector with matchExpressions (Istio's WorkloadSelector has only matchLabels)",
    doc: `${AP}spec: {selector: {matchExpressions: []}}`,
    error:
      'AuthorizationPolicy x/i: spec.selector.matchExpressions: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an unknown field of a source',
    doc: `${AP}spec: {rules: [{from: [{source: {namespaces: [y], other: 1}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an unknown field of an operation',
    doc: `${AP}spec: {rules: [{to: [{operation: {ports: ["80"], other: 1}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an unknown field of the spec',
    doc: `${AP}spec: {other: 1}`,
    error:
      'AuthorizationPolicy x/i: spec.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'a port with letters after the digits',
    doc: `${AP}spec: {rules: [{to: [{operation: {ports: ["80a"]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.ports: expected port numbers, found "80a"',
  },
  {
    name: 'a port with letters before the digits',
    doc: `${AP}spec: {rules: [{to: [{operation: {ports: ["a80"]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.ports: expected port numbers, found "a80"',
  },
  {
    name: 'a bad single address in ipBlocks',
    doc: `${AP}spec: {rules: [{from: [{source: {ipBlocks: [10.0.0.300]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.ipBlocks: "10.0.0.300/32" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)',
  },
  {
    name: 'a bad notIpBlocks CIDR',
    doc: `${AP}spec: {rules: [{from: [{source: {notIpBlocks: [10.0.0.0/33]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.notIpBlocks: "10.0.0.0/33" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)',
  },
  {
    name: 'when conditions',
    doc: `${AP}spec: {rules: [{when: [{key: a, values: [b]}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].when: not supported: conditions (`when`) are outside the supported subset',
  },
  {
    name: 'targetRef',
    doc: `${AP}spec: {targetRef: {kind: Gateway, name: g}}`,
    error:
      'AuthorizationPolicy x/i: spec.targetRef: not supported: targetRef (gateways, waypoints) is outside the supported subset; use selector',
  },
  {
    name: 'requestPrincipals',
    doc: `${AP}spec: {rules: [{from: [{source: {requestPrincipals: [a]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.requestPrincipals: not supported: request principals (JWT) and remote IP blocks (X-Forwarded-For) are outside the supported subset',
  },
  {
    name: 'notRequestPrincipals',
    doc: `${AP}spec: {rules: [{from: [{source: {notRequestPrincipals: [a]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.notRequestPrincipals: not supported: request principals (JWT) and remote IP blocks (X-Forwarded-For) are outside the supported subset',
  },
  {
    name: 'notRemoteIpBlocks',
    doc: `${AP}spec: {rules: [{from: [{source: {notRemoteIpBlocks: [10.0.0.0/8]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].from[0].source.notRemoteIpBlocks: not supported: request principals (JWT) and remote IP blocks (X-Forwarded-For) are outside the supported subset',
  },
  {
    name: 'a path template (Istio: pkg/config/security/security.go, CheckValidPathTemplate)',
    doc: `${AP}spec: {rules: [{to: [{operation: {paths: ["/a/{*}/b"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.paths: path templates ({*}, {**}) are outside the supported subset',
  },
  {
    name: 'an empty method (Istio: validation.go, CheckEmptyValues)',
    doc: `${AP}spec: {rules: [{to: [{operation: {methods: [""]}}]}]}`,
    error: 'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.methods: an empty value is refused by Istio',
  },
  {
    name: 'a wildcard inside a path',
    doc: `${AP}spec: {rules: [{to: [{operation: {notPaths: ["/a*b"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.notPaths: "/a*b": only exact, prefix*, *suffix or * are valid',
  },
  {
    name: 'an unknown field of an operation',
    doc: `${AP}spec: {rules: [{to: [{operation: {verbs: [GET]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.verbs: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'a space in a path (no request line holds one)',
    doc: `${AP}spec: {rules: [{to: [{operation: {paths: ["/a b"]}}]}]}`,
    error:
      'AuthorizationPolicy x/i: spec.rules[0].to[0].operation.paths: spaces and control characters never appear in an HTTP method, path or host',
  },
  {
    name: 'an unknown field of mtls',
    doc: `${PA}spec: {mtls: {mode: STRICT, other: 1}}`,
    error:
      'PeerAuthentication x/i: spec.mtls.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'an unknown field of a PeerAuthentication',
    doc: `${PA}spec: {other: 1}`,
    error:
      'PeerAuthentication x/i: spec.other: unsupported field: the engine does not evaluate it and it could change the verdict',
  },
  {
    name: 'a portLevelMtls key with letters after the digits',
    doc: `${PA}spec: {selector: {matchLabels: {pod: a}}, portLevelMtls: {"80a": {mode: DISABLE}}}`,
    error: 'PeerAuthentication x/i: spec.portLevelMtls.80a: expected a port number',
  },
  {
    name: 'a portLevelMtls key with letters before the digits',
    doc: `${PA}spec: {selector: {matchLabels: {pod: a}}, portLevelMtls: {"a80": {mode: DISABLE}}}`,
    error: 'PeerAuthentication x/i: spec.portLevelMtls.a80: expected a port number',
  },
];

for (const row of refusals) {
  t.test(`refused: ${row.name}`, async (t) => {
    const error = t.throws(() => buildModel({ workloads: [], policies: docs(row.doc) }));
    t.type(error, PolicyError);
    t.equal((error as Error).message, `inline#1: ${row.error}`);
  });
}
