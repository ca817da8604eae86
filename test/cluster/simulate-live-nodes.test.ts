// ClusterNetworkPolicy `nodes` peers from a live cluster: `simulate --cluster` lists nodes (labels and
// status.addresses, as the kubelet reports them) only when a policy has a nodes peer, under the shipped
// ClusterRole prober-simulate. The Kubernetes API server is the in-process fake of test/cluster/fake/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { livePolicyModel } from '../../src/cluster/live-policies.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { inputIo } from '../helpers/input-io.ts';
import { ROOT } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { proberRbac } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

/** An Admin tier egress Deny from b-apacherr to the worker nodes (apis/v1alpha2 ClusterNetworkPolicyEgressPeer.Nodes). */
const denyWorkers: Json = {
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: 'no-kubelet' },
  spec: {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b-apacherr' } } },
    egress: [{ name: 'workers', action: 'Deny', to: [{ nodes: { matchLabels: { role: 'worker' } } }] }],
  },
};

/** A namespace with a pod, two nodes, the CNP CRD served, and the shipped prober-simulate bound to the user. */
async function cluster(t: Test, policy: Json | undefined, rbac?: Json[]): Promise<FakeApiServer> {
  const role = parse(readFileSync(join(ROOT, 'k8s', 'prober', 'simulate', 'prober-simulate.yaml'), 'utf8')) as Json;
  const fake = await FakeApiServer.start(t);
  fake.enforceRbac(
    rbac ?? [
      role,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'prober-simulate-ci' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prober-simulate' },
        subjects: [{ kind: 'ServiceAccount', name: fake.user.split(':')[3], namespace: fake.user.split(':')[2] }],
      },
    ],
  );
  fake.addNamespace('b-apacherr', { name: 'b-apacherr' });
  fake.addPod({ namespace: 'b-apacherr', name: 'apacherr', labels: { app: 'apacherr' }, ip: '10.244.1.10' });
  fake.addNode('worker-1', { role: 'worker' }, ['192.168.0.11']);
  fake.addNode('cp-1', { role: 'control-plane' }, ['192.168.0.1']);
  fake.installCrd('policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies');
  if (policy) fake.addPolicy(policy);
  return fake;
}

const explain = (fake: FakeApiServer, ip: string) =>
  runProber(['simulate', '--kubeconfig', fake.kubeconfig, '--explain', 'b-apacherr/apacherr', ip, '10250']);

t.test('a nodes peer: the nodes are listed under prober-simulate and their addresses decide', async (t) => {
  const fake = await cluster(t, denyWorkers);
  const worker = await explain(fake, '192.168.0.11');
  t.equal(worker.code, 0, worker.stderr);
  t.match(worker.stdout, /192\.168\.0\.11 on 10250\/TCP: DENY/);
  t.match(worker.stdout, /denied by ClusterNetworkPolicy no-kubelet egress\[0\] "workers"/);
  const controlPlane = await explain(fake, '192.168.0.1');
  t.match(controlPlane.stdout, /192\.168\.0\.1 on 10250\/TCP: ALLOW/, 'a node the selector leaves out');
  t.ok(fake.seen('list', 'nodes').length > 0, 'nodes listed');
  t.same([...new Set(fake.seen('list', 'nodes').map((r) => r.code))], [200], 'allowed by the shipped ClusterRole');
});

t.test('list nodes refused: one line naming the permission and the ClusterRole, exit 2', async (t) => {
  const fake = await cluster(t, denyWorkers);
  fake.deny('list', 'nodes');
  const out = await explain(fake, '192.168.0.11');
  t.equal(out.code, 2);
  t.match(
    out.stderr,
    /missing RBAC permission to list nodes cluster-wide \(simulate --cluster reads with the ClusterRole prober-simulate/,
  );
});

t.test('no policy selects nodes: nodes are not listed', async (t) => {
  const fake = await cluster(t, undefined);
  const out = await explain(fake, '192.168.0.11');
  t.equal(out.code, 0, out.stderr);
  t.same(fake.seen('list', 'nodes'), [], 'no list nodes');
});

t.test(
  '`run` with expect: fromPolicies lists nodes under prober RBAC (ClusterRole prober-from-policies)',
  async (t) => {
    const fake = await cluster(t, denyWorkers, proberRbac());
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const test = parseReachabilityTest(
      'nodes.yaml',
      `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: nodes}
spec:
  sources: {apache: {namespace: b-apacherr, selector: {app: apacherr}}}
  targets:
    kubelet: {url: "tcp://192.168.0.11:10250"}
    control-plane: {url: "tcp://192.168.0.1:10250"}
  expect: fromPolicies
`,
    );
    const verdicts = await livePolicyModel(api, test, 'default', () => {}, inputIo());
    const row = verdicts.get('apache')!;
    t.same([row.get('kubelet')?.verdict, row.get('control-plane')?.verdict], ['deny', 'allow']);
    t.same([...new Set(fake.seen('list', 'nodes').map((r) => r.code))], [200]);
  },
);
