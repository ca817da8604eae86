// Predictions for ReachabilityTest cells, the simulated backend, and the three-way comparison.
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { assembleMatrix } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { buildModel, type ClusterInput, type PolicyInput } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import { modelVerdicts } from '../../src/policy/prediction.ts';
import { SimulatedBackend } from '../../src/policy/simulated-backend.ts';
import { docs } from './harness.ts';

const CLUSTER: ClusterInput & { policies: PolicyInput[] } = {
  namespaces: [
    { name: 'web' },
    { name: 'db', labels: { 'istio-injection': 'enabled' } },
    { name: 'ops', labels: { 'istio-injection': 'enabled' } },
  ],
  workloads: [
    { namespace: 'web', name: 'front', labels: { app: 'front' }, ports: [{ name: 'http', port: 8080 }] },
    {
      namespace: 'web',
      name: 'front-canary',
      labels: { app: 'front', track: 'canary' },
      ports: [{ name: 'http', port: 8080 }],
    },
    { namespace: 'db', name: 'pg', labels: { app: 'pg' }, serviceAccount: 'pg', ports: [{ name: 'pg', port: 5432 }] },
    { namespace: 'ops', name: 'admin', labels: { app: 'admin' }, ports: [] },
  ],
  services: [
    { namespace: 'db', name: 'pg', selector: { app: 'pg' }, ports: [{ port: 5432, targetPort: 'pg' }] },
    { namespace: 'web', name: 'front', selector: { app: 'front' }, ports: [{ port: 80, targetPort: 'http' }] },
    { namespace: 'web', name: 'empty', selector: { app: 'nothing' }, ports: [{ port: 80 }] },
  ],
  policies: docs(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pg-from-web, namespace: db}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: canary-no-egress, namespace: web}
spec:
  podSelector: {matchLabels: {track: canary}}
  policyTypes: [Egress]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: pg-deny-ops, namespace: db}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [ops]}}]}]
`),
};

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: predict}
spec:
  sources:
    front: {namespace: web, selector: {app: front, track: canary}}
    webs: {namespace: web, selector: {app: front}}
    admin: {namespace: ops, selector: {app: admin}}
    pg: {namespace: db, selector: {app: pg}}
    ghost: {namespace: web, selector: {app: ghost}}
    here: {local: true}
  targets:
    pg: {url: "tcp://pg.db.svc.cluster.local:5432"}
    front: {url: "http://front.web/"}
    empty: {url: "http://empty.web/"}
    outside: {url: "tcp://192.0.2.10:443"}
    name: {url: "dns://kubernetes.default"}
    nowhere: {url: "tcp://nosuch.web:80"}
  expect:
    - {from: "*", to: "*", verdict: allow}
    - {name: "canary is cut off", from: front, to: pg, verdict: allow}
    - {from: admin, to: pg, verdict: deny}
`;

t.test('every kind of cell is predicted or explained', (t) => {
  const model = buildModel(CLUSTER);
  const test = parseReachabilityTest('predict.yaml', TEST);
  const p = predictTest(model, test);
  const cell = (s: string, d: string) => p.get(s)!.get(d)!;
  t.match(cell('front', 'pg'), { kind: 'verdict', verdict: 'deny', deniedAt: 'egress' }, 'canary egress denied');
  t.match(
    cell('webs', 'pg'),
    { kind: 'unknown', reason: 'undecidable', detail: /different verdicts/ },
    'a selector spanning workloads with different verdicts',
  );
  t.match(cell('admin', 'pg'), { kind: 'verdict', verdict: 'deny', deniedAt: 'ingress' });
  t.match(
    cell('pg', 'pg'),
    { kind: 'verdict', verdict: 'loopback', computed: 'deny' },
    'hairpin through its own Service',
  );
  t.match(cell('pg', 'front'), {
    kind: 'verdict',
    verdict: 'allow',
    explanation: [/egress from db\/pg/, /ingress to web\/front/, /^allow/, /\(2 source\/backend pairs, all allow\)/],
  });
  t.match(cell('admin', 'empty'), { kind: 'unknown', reason: 'target-down', detail: /selects no known workload/ });
  t.match(cell('admin', 'outside'), { kind: 'verdict', verdict: 'allow' });
  t.match(cell('admin', 'name'), { kind: 'unknown', reason: 'bad-target' });
  t.match(cell('admin', 'nowhere'), { kind: 'unknown', reason: 'dns', detail: /no Service web\/nosuch/ });
  t.match(cell('ghost', 'pg'), {
    kind: 'unknown',
    reason: 'source',
    detail: /no workload in namespace web with app=ghost/,
  });
  t.match(cell('here', 'pg'), { kind: 'unknown', reason: 'source', detail: /local source/ });
  const verdicts = modelVerdicts(p);
  t.equal(verdicts.get('front')?.get('pg')?.verdict, 'deny');
  t.equal(verdicts.get('ghost')?.size, 0, 'cells the model cannot place have no model verdict');
  t.end();
});

t.test('a dns:// cell is the source asking kube-system/kube-dns on 53/UDP, under egress policies', (t) => {
  const dnsCluster: ClusterInput = {
    ...CLUSTER,
    namespaces: [...(CLUSTER.namespaces ?? []), { name: 'kube-system' }],
    workloads: [
      ...CLUSTER.workloads,
      {
        namespace: 'kube-system',
        name: 'coredns',
        labels: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    ],
    services: [
      ...(CLUSTER.services ?? []),
      {
        namespace: 'kube-system',
        name: 'kube-dns',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    ],
  };
  const model = buildModel({ ...dnsCluster, policies: CLUSTER.policies });
  const p = predictTest(model, parseReachabilityTest('predict.yaml', TEST));
  t.match(p.get('admin')!.get('name'), {
    kind: 'verdict',
    verdict: 'allow',
    explanation: [/./, /./, /./, /kube-system\/kube-dns on 53\/UDP/],
  });
  t.match(p.get('front')!.get('name'), { kind: 'verdict', verdict: 'deny', deniedAt: 'egress' }, 'no egress: no DNS');
  // UDP only: a policy that allows 53/TCP alone still blocks the resolver's first question.
  const tcpOnly = docs(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-tcp-only, namespace: ops}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: TCP, port: 53}]
`);
  const strict = predictTest(
    buildModel({ ...dnsCluster, policies: tcpOnly }),
    parseReachabilityTest('predict.yaml', TEST),
  );
  t.match(strict.get('admin')!.get('name'), { kind: 'verdict', verdict: 'deny', deniedAt: 'egress' });
  t.end();
});

t.test('the mesh layer denies with its own reason', (t) => {
  // Without the NetworkPolicy, ops reaches pg's sidecar, which the DENY policy closes.
  const model = buildModel({ ...CLUSTER, policies: CLUSTER.policies.slice(2) });
  const test = parseReachabilityTest('predict.yaml', TEST);
  const p = predictTest(model, test);
  t.match(p.get('admin')!.get('pg'), { kind: 'verdict', verdict: 'deny', deniedAt: 'mesh' });
  t.end();
});

t.test('the simulated backend observes predictions, judged like a live run', async (t) => {
  const model = buildModel(CLUSTER);
  const test = parseReachabilityTest('predict.yaml', TEST);
  const backend = new SimulatedBackend((tt) => predictTest(model, tt));
  t.equal(backend.kind, 'simulated');
  const run = await backend.observe(test);
  const result = (s: string, d: string): ProbeResult => run.observations.results.get(s)!.get(d)!;
  t.match(result('front', 'pg'), {
    observed: 'deny',
    reason: 'timeout',
    url: 'tcp://pg.db.svc.cluster.local:5432',
    detail: /^simulated: egress from web\/front-canary/,
  });
  t.match(result('admin', 'front'), { observed: 'allow', reason: 'connected' });
  t.match(result('pg', 'pg'), { observed: 'deny', detail: /loopback/ });
  t.match(result('ghost', 'pg'), { observed: 'error', reason: 'source' });
  const cells = assembleMatrix({ test, observations: run.observations });
  const byName = new Map(cells.map((c) => [`${c.from}>${c.to}`, c]));
  t.match(byName.get('front>pg'), { result: 'fail', expected: 'allow', observed: 'deny', rule: 'canary is cut off' });
  t.match(byName.get('admin>pg'), { result: 'pass' }, 'a simulated deny needs no liveness proof');
  t.match(byName.get('admin>name'), { result: 'error', reason: 'bad-target' });
  t.end();
});

t.test('three-way: observed, written intent and policy model, with the odd one named', (t) => {
  const model = buildModel(CLUSTER);
  const test = parseReachabilityTest('predict.yaml', TEST);
  const verdicts = modelVerdicts(predictTest(model, test));
  const observe = (observed: 'allow' | 'deny'): ProbeResult => ({
    url: 'u',
    observed,
    reason: observed === 'allow' ? 'connected' : 'timeout',
    latencyMs: 1,
    attempts: 1,
  });
  // admin → pg: intent deny, model deny. front → pg: intent allow, model deny. admin → front: both allow.
  const results = new Map([
    [
      'admin',
      new Map([
        ['pg', observe('allow')],
        ['front', observe('allow')],
      ]),
    ],
    ['front', new Map([['pg', observe('deny')]])],
  ]);
  const cells = assembleMatrix({
    test,
    model: verdicts,
    observations: { results, sourceErrors: new Map(), alive: new Map([['pg', 'test']]) },
  });
  const cell = (s: string, d: string) => cells.find((c) => c.from === s && c.to === d)!;
  t.match(
    cell('admin', 'pg'),
    { result: 'fail', disagreement: 'observed' },
    'intent and model agree, the network does not',
  );
  t.match(
    cell('front', 'pg'),
    { result: 'fail', disagreement: 'intent' },
    'the network does what the policies say, not what was written',
  );
  t.match(cell('admin', 'front'), { result: 'pass', model: { verdict: 'allow' } });
  t.end();
});

t.test('a udp:// target is judged by the UDP rules of the policies, a tcp:// one by the TCP rules', (t) => {
  const model = buildModel({
    namespaces: [{ name: 'web' }, { name: 'dns' }],
    workloads: [
      { namespace: 'web', name: 'front', labels: { app: 'front' }, ports: [] },
      {
        namespace: 'dns',
        name: 'resolver',
        labels: { app: 'resolver' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    ],
    services: [
      {
        namespace: 'dns',
        name: 'resolver',
        selector: { app: 'resolver' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    ],
    policies: docs(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-dns-only, namespace: dns}
spec:
  podSelector: {}
  ingress:
  - ports: [{protocol: UDP, port: 53}]
`),
  });
  const test = parseReachabilityTest(
    'udp.yaml',
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: udp}
spec:
  sources:
    front: {namespace: web, selector: {app: front}}
  targets:
    dns-udp: {url: "udp://resolver.dns.svc.cluster.local:53", payloadHex: "00"}
    dns-tcp: {url: "tcp://resolver.dns.svc.cluster.local:53"}
  expect: fromPolicies
`,
  );
  const cells = predictTest(model, test).get('front')!;
  t.match(cells.get('dns-udp'), { kind: 'verdict', verdict: 'allow' }, 'UDP 53 is allowed');
  t.match(cells.get('dns-tcp'), { kind: 'verdict', verdict: 'deny', deniedAt: 'ingress' }, 'TCP 53 is not');
  t.end();
});
