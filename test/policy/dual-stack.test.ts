// The policy model over IP families: pods with status.podIPs of both families are judged per family, so
// an ipBlock of one family never matches traffic of the other (Kubernetes' rule). A target that names no
// family gets one verdict only when both families agree; a family a pod has no address of is no-address.

import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { buildModel, type ClusterInput, type PolicyInput } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import type { Prediction } from '../../src/policy/prediction.ts';
import { docs } from './harness.ts';

const policy = (frontendIp: string) =>
  docs(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: redis-from-pods-but-frontend, namespace: data}
spec:
  podSelector: {matchLabels: {app: redis}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.244.0.0/16, except: [${frontendIp}/32]}
    - ipBlock: {cidr: "::/0"}
    ports: [{port: 6379}]
`);

const CLUSTER: ClusterInput & { policies: PolicyInput[] } = {
  namespaces: [{ name: 'web' }, { name: 'app' }, { name: 'data' }, { name: 'legacy' }],
  workloads: [
    { namespace: 'web', name: 'frontend', labels: { app: 'frontend' }, ips: ['10.244.0.2', 'fd00:10:244::2'] },
    { namespace: 'app', name: 'backend', labels: { app: 'backend' }, ips: ['10.244.0.3', 'fd00:10:244::3'] },
    {
      namespace: 'data',
      name: 'redis',
      labels: { app: 'redis' },
      ips: ['10.244.0.4', 'fd00:10:244::4'],
      ports: [{ name: 'redis', port: 6379 }],
    },
    { namespace: 'legacy', name: 'old', labels: { app: 'old' }, ips: ['10.244.0.5'] },
  ],
  services: [{ namespace: 'data', name: 'redis', selector: { app: 'redis' }, ports: [{ port: 6379 }] }],
  policies: policy('10.244.0.2'),
};

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: dual}
spec:
  sources:
    frontend: {namespace: web, selector: {app: frontend}}
    backend: {namespace: app, selector: {app: backend}}
    old: {namespace: legacy, selector: {app: old}}
  targets:
    redis: {url: "redis://redis.data.svc.cluster.local", family: both}
    redis-any: {url: "redis://redis.data.svc.cluster.local"}
  expect: [{from: "*", to: "*", verdict: allow}]
`;

const summary = (p: Prediction | undefined): string =>
  p?.kind === 'verdict' ? p.computed : `${p?.kind}/${p?.kind === 'unknown' ? p.reason : ''}`;

t.test('an IPv4-only except leaves the IPv6 path open; each family is judged on its own', async (t) => {
  const predictions = predictTest(buildModel(CLUSTER), parseReachabilityTest('dual.yaml', TEST));
  const row = (source: string) =>
    Object.fromEntries([...predictions.get(source)!].map(([target, p]) => [target, summary(p)]));
  t.same(row('frontend'), {
    'redis (IPv4)': 'deny',
    'redis (IPv6)': 'allow',
    'redis-any': 'unknown/undecidable',
  });
  t.same(row('backend'), { 'redis (IPv4)': 'allow', 'redis (IPv6)': 'allow', 'redis-any': 'allow' });
  t.same(
    row('old'),
    { 'redis (IPv4)': 'allow', 'redis (IPv6)': 'unknown/no-address', 'redis-any': 'allow' },
    'an IPv4-only pod has no IPv6 cell, and its unnamed family is the one it has',
  );
  const any = predictions.get('frontend')!.get('redis-any')!;
  t.match(any, { detail: /depends on the IP family \(IPv4: deny, IPv6: allow\)/ });
  const v6 = predictions.get('frontend')!.get('redis (IPv6)')!;
  t.match(
    v6.kind === 'verdict' ? v6.explanation.at(-1) : '',
    'web/frontend (fd00:10:244::2) → data/redis (fd00:10:244::4)',
    'the explanation names the addresses judged',
  );
  t.match(predictions.get('old')!.get('redis (IPv6)'), { detail: /legacy\/old has no IPv6 address/ });
});

t.test('a dns:// cell is judged without a family: its family names the record, not the path', async (t) => {
  const cluster: ClusterInput & { policies: PolicyInput[] } = {
    ...CLUSTER,
    namespaces: [...(CLUSTER.namespaces ?? []), { name: 'kube-system' }],
    workloads: [
      ...CLUSTER.workloads,
      {
        namespace: 'kube-system',
        name: 'kube-dns',
        labels: { 'k8s-app': 'kube-dns' },
        ips: ['10.244.0.9', 'fd00:10:244::9'],
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
      },
    ],
    services: [
      ...(CLUSTER.services ?? []),
      {
        namespace: 'kube-system',
        name: 'kube-dns',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
      },
    ],
    // DNS is allowed to IPv4 addresses only: a per-family judgement would split these cells.
    policies: docs(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-v4, namespace: web}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}]
`),
  };
  const test = parseReachabilityTest(
    'dns.yaml',
    TEST.replace(
      'redis-any: {url: "redis://redis.data.svc.cluster.local"}',
      'name: {url: "dns://redis.data.svc.cluster.local", family: both}\n    name-any: {url: "dns://redis.data.svc.cluster.local"}',
    ),
  );
  const row = predictTest(buildModel(cluster), test).get('frontend')!;
  for (const target of ['name (IPv4)', 'name (IPv6)', 'name-any'])
    t.match(row.get(target), { kind: 'verdict', verdict: 'allow' }, `${target}: one verdict, the workloads'`);
  t.equal(summary(row.get('redis (IPv4)')), 'deny', 'other targets in the row keep their families');
});
