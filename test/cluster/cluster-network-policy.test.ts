// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) from a live cluster: `run`'s policy model
// lists it under prober's own RBAC when discovery serves it, and `simulate --cluster` evaluates it
// under prober-simulate. The Kubernetes API server is the in-process fake of test/cluster/fake/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { listLiveObjects } from '../../src/cluster/live-policies.ts';
import { ROOT } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { proberRbac } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

/** An Admin tier Deny of everything from b-apacherr into d-redis, above any NetworkPolicy. */
const denyApache: Json = {
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: 'no-apache-to-redis' },
  spec: {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'd-redis' } } },
    ingress: [
      {
        name: 'no-apache',
        action: 'Deny',
        from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b-apacherr' } } }],
        protocols: [{ tcp: { destinationPort: { number: 6379 } } }],
      },
    ],
  },
};

/** Two namespaces, a pod in each, a Service for Redis, and a NetworkPolicy that allows everything into Redis. */
async function cluster(t: Test, rbac: Json[] | undefined): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  if (rbac) fake.enforceRbac(rbac);
  for (const ns of ['b-apacherr', 'd-redis']) fake.addNamespace(ns, { name: ns });
  fake.addPod({ namespace: 'b-apacherr', name: 'apacherr', labels: { app: 'apacherr' }, ip: '10.244.1.10' });
  fake.addPod({
    namespace: 'd-redis',
    name: 'redis',
    labels: { app: 'redis' },
    ip: '10.244.3.10',
    ports: [{ containerPort: 6379 }],
  });
  fake.addService({
    namespace: 'd-redis',
    name: 'redis-svc',
    selector: { app: 'redis' },
    ports: [{ port: 6379 }],
    endpoints: [{ ip: '10.244.3.10', ready: true }],
  });
  fake.addPolicy({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'redis-open', namespace: 'd-redis' },
    spec: { podSelector: {}, ingress: [{}] },
  });
  fake.addPolicy(denyApache);
  return fake;
}

t.test(
  'the policy model of `run` lists ClusterNetworkPolicies under prober RBAC when discovery serves them',
  async (t) => {
    const fake = await cluster(t, proberRbac());
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry);
    const before = await listLiveObjects(api, true);
    t.same(
      before.policies.map((p) => p.kind),
      ['NetworkPolicy'],
      'not served: not listed, and no error (the cluster has no such policy)',
    );
    fake.installCrd('policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies');
    const after = await listLiveObjects(api, true);
    t.same(
      after.policies.map((p) => `${p.apiVersion} ${p.kind} ${(p.metadata as Json).name}`),
      [
        'networking.k8s.io/v1 NetworkPolicy redis-open',
        'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy no-apache-to-redis',
      ],
    );
    t.same(
      fake.seen('list', 'clusternetworkpolicies').map((r) => r.code),
      [200],
      'listed once, and allowed by the ClusterRole prober',
    );
  },
);

t.test(
  'simulate --cluster evaluates a live ClusterNetworkPolicy under prober-simulate (Admin Deny over a NetworkPolicy allow)',
  async (t) => {
    const role = parse(readFileSync(join(ROOT, 'k8s', 'prober', 'simulate', 'prober-simulate.yaml'), 'utf8')) as Json;
    const fake = await cluster(t, undefined);
    fake.enforceRbac([
      role,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'prober-simulate-ci' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prober-simulate' },
        subjects: [{ kind: 'ServiceAccount', name: fake.user.split(':')[3], namespace: fake.user.split(':')[2] }],
      },
    ]);
    fake.installCrd('policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies');
    const run = await runProber(['simulate', '--kubeconfig', fake.kubeconfig, '-o', 'json', '--port', '6379']);
    t.equal(run.code, 0, run.stderr);
    const cell = (JSON.parse(run.stdout) as Json).cells.find(
      (c: Json) => c.from === 'b-apacherr/apacherr' && c.to === 'd-redis/redis:6379',
    );
    t.match(cell, { observed: 'deny' });
    t.match(cell.detail, /ClusterNetworkPolicy no-apache-to-redis ingress\[0\] "no-apache"/);
  },
);
