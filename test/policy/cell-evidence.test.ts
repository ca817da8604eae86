// The evidence a prediction carries for the catalogue of mismatch causes: the protocol, where the
// model denied, the kinds and ipBlocks of the rules that decided, and a node address as target.
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { buildModel, type ClusterInput } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import { docs } from './harness.ts';

const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-cidr, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.9/32]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-isolated, namespace: db}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: nobody}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-echo}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: db}}}
  ingress:
  - {name: echo, action: Deny, from: [{namespaces: {}}], protocols: [{udp: {destinationPort: {number: 7}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: excepted-to-cache}
spec:
  tier: Admin
  priority: 6
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: cache}}}}
  ingress:
  - {name: accept, action: Accept, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: excepted}}}}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-deny-all, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules: [{}]
`;

const CLUSTER: ClusterInput = {
  namespaces: [{ name: 'db' }, { name: 'web' }, { name: 'app' }],
  workloads: [
    { namespace: 'db', name: 'pg', labels: { app: 'pg' }, ips: ['10.0.0.5'], ports: [{ port: 5432 }] },
    {
      namespace: 'db',
      name: 'cache',
      labels: { app: 'cache' },
      ips: ['10.0.0.6'],
      ports: [{ port: 6379 }, { port: 7, protocol: 'UDP' }],
    },
    { namespace: 'web', name: 'web', labels: { app: 'web' }, ips: ['10.0.0.7'], mesh: true, ports: [{ port: 80 }] },
    { namespace: 'app', name: 'inside', labels: { app: 'inside' }, ips: ['10.0.0.8'] },
    { namespace: 'app', name: 'excepted', labels: { app: 'excepted' }, ips: ['10.0.0.9'] },
  ],
  nodes: [{ name: 'node-a', labels: {}, addresses: ['192.168.1.10'] }],
  policies: docs(POLICIES),
};

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: evidence}
spec:
  sources:
    inside: {namespace: app, selector: {app: inside}}
    excepted: {namespace: app, selector: {app: excepted}}
  targets:
    pg: {url: "tcp://10.0.0.5:5432"}
    cache: {url: "redis://10.0.0.6:6379"}
    echo: {url: "udp://10.0.0.6:7"}
    web: {url: "tcp://10.0.0.7:80"}
    node: {url: "tcp://192.168.1.10:10250"}
    outside: {url: "tcp://192.0.2.1:443"}
  expect: fromPolicies
  fromPolicies: {policies: [p.yaml]}
`;

const predictions = predictTest(buildModel(CLUSTER), parseReachabilityTest('evidence.yaml', TEST), { evidence: true });
const evidence = (from: string, to: string) => {
  const p = predictions.get(from)!.get(to)!;
  if (p.kind !== 'verdict') throw new Error(`${from} → ${to}: ${p.detail}`);
  return { verdict: p.verdict, ...p.evidence };
};

t.test('an ipBlock that allowed, and the same ipBlock behind an isolation deny', async (t) => {
  t.same(evidence('inside', 'pg'), {
    verdict: 'allow',
    protocol: 'TCP',
    kinds: ['NetworkPolicy'],
    ipBlocks: ['10.0.0.0/16 except 10.0.0.9/32'],
  });
  // The excepted pod is denied by isolation: the rule that could have allowed it is an ipBlock.
  t.same(evidence('excepted', 'pg'), {
    verdict: 'deny',
    protocol: 'TCP',
    deniedAt: 'ingress',
    kinds: ['NetworkPolicy'],
    ipBlocks: ['10.0.0.0/16 except 10.0.0.9/32'],
  });
});

t.test('a deny by isolation with pod selectors only carries no ipBlock', async (t) => {
  t.same(evidence('inside', 'cache'), {
    verdict: 'deny',
    protocol: 'TCP',
    deniedAt: 'ingress',
    kinds: ['NetworkPolicy'],
    ipBlocks: [],
  });
});

t.test('an Admin Accept over a NetworkPolicy isolation names the kind that allowed', async (t) => {
  t.same(evidence('excepted', 'cache'), {
    verdict: 'allow',
    protocol: 'TCP',
    kinds: ['ClusterNetworkPolicy'],
    ipBlocks: [],
  });
});

t.test('a UDP cell denied by a ClusterNetworkPolicy names the kind and the protocol', async (t) => {
  t.match(evidence('inside', 'echo'), {
    verdict: 'deny',
    protocol: 'UDP',
    deniedAt: 'ingress',
    kinds: ['ClusterNetworkPolicy'],
  });
});

t.test('a deny at the sidecar says mesh', async (t) => {
  t.match(evidence('inside', 'web'), { verdict: 'deny', deniedAt: 'mesh', kinds: ['AuthorizationPolicy'] });
});

t.test('a node address as target is marked; another outside address is not', async (t) => {
  t.match(evidence('inside', 'node'), { verdict: 'allow', nodeTarget: true, kinds: [] });
  t.notOk(evidence('inside', 'outside').nodeTarget);
});

t.test('without asking, a prediction carries no evidence (simulate needs none)', async (t) => {
  const plain = predictTest(buildModel(CLUSTER), parseReachabilityTest('evidence.yaml', TEST));
  t.match(plain.get('inside')!.get('pg'), { kind: 'verdict', verdict: 'allow' });
  t.notOk('evidence' in plain.get('inside')!.get('pg')!);
});
