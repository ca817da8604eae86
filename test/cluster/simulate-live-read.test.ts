// What `simulate --cluster` reads and refuses: discovery decides which kinds exist, a kind prober does not
// evaluate stops the model, a 404 on a served kind or a 403 is an error, lists come in pages, files give
// policies over the live topology. The API server is the in-process fake of test/cluster/fake/ (no
// cluster on these machines), enforcing the shipped RBAC of k8s/prober/simulate/.

import { readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { LIST_PAGE_SIZE } from '../../src/cluster/kube-api.ts';
import { readClusterObjects } from '../../src/cluster/live-read.ts';
import { loadPolicyModel } from '../../src/orchestration/policy-model.ts';
import { readLive } from '../../src/orchestration/simulate-inputs.ts';
import { inputIo } from '../helpers/input-io.ts';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';

type Json = Record<string, any>;

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };
const SIMULATE_ROLE = join(ROOT, 'k8s', 'prober', 'simulate', 'prober-simulate.yaml');

/** The shipped ClusterRole (optionally changed), bound to the fake's user. */
function rbac(fake: FakeApiServer, change: (role: Json) => void = () => {}): Json[] {
  const role = parse(readFileSync(SIMULATE_ROLE, 'utf8')) as Json;
  change(role);
  const [, , namespace, name] = fake.user.split(':');
  return [
    role,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'simulate' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prober-simulate' },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ];
}

/** A fake with Calico's CRDs served (one policy kind, one that is not policy) and a small topology. */
async function calicoCluster(t: Test): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  fake.enforceRbac(rbac(fake));
  fake.addPod({
    namespace: 'web',
    name: 'web-1',
    labels: { app: 'web' },
    ip: '10.244.0.5',
    ports: [{ containerPort: 80 }],
  });
  fake.installCrd('crd.projectcalico.org', 'v1', 'globalnetworkpolicies', 'GlobalNetworkPolicy');
  fake.installCrd('crd.projectcalico.org', 'v1', 'ippools', 'IPPool');
  return fake;
}

const globalPolicy = {
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'deny-all' },
  spec: { selector: 'all()', types: ['Ingress'] },
};

const apiOf = (fake: FakeApiServer) =>
  clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry);
const silent = { warn: () => {}, io: inputIo() };

t.test('a served policy kind prober does not evaluate stops the model, unless --ignore-kind names it', async (t) => {
  const fake = await calicoCluster(t);
  const empty = await readClusterObjects(apiOf(fake), []);
  t.same(
    empty.objects.map((o) => o.kind),
    ['Namespace', 'Pod'],
    'Calico served without objects: nothing to refuse',
  );
  t.same(fake.seen('list', 'ippools'), [], 'a kind that is not policy (IPPool) is not read');
  t.equal(fake.seen('list', 'ciliumnetworkpolicies').length, 0, 'a kind the cluster does not serve is not asked for');

  fake.addPolicy(globalPolicy);
  const live = { cluster: 'fake', ...(await readClusterObjects(apiOf(fake), [])) };
  await t.rejects(loadPolicyModel([], { live, ...silent }), {
    message:
      /^live GlobalNetworkPolicy deny-all: kind: GlobalNetworkPolicy \(crd\.projectcalico\.org\/v1, Calico\) is a policy prober does not evaluate.*--ignore-kind GlobalNetworkPolicy\.crd\.projectcalico\.org/,
  });

  const before = fake.seen('list', 'globalnetworkpolicies').length;
  const ignore = [{ kind: 'GlobalNetworkPolicy', group: 'crd.projectcalico.org' }];
  const left = { cluster: 'fake', ...(await readClusterObjects(apiOf(fake), ignore)) };
  t.equal(fake.seen('list', 'globalnetworkpolicies').length, before, 'an ignored kind is not even read');
  const warnings: string[] = [];
  await loadPolicyModel([], { live: left, ignoreKinds: ignore, warn: (w) => warnings.push(w), io: inputIo() });
  t.match(warnings, [/left out GlobalNetworkPolicy\.crd\.projectcalico\.org as asked by --ignore-kind: not read/]);
});

t.test('404 and 403: "none of that kind" only when discovery says the kind is not served', async (t) => {
  const fake = await calicoCluster(t);
  fake.installCrd('cilium.io', 'v2', 'ciliumnetworkpolicies');
  fake.failNext('list', 'ciliumnetworkpolicies', 404);
  await t.rejects(readClusterObjects(apiOf(fake), []), {
    code: 404,
    message: /^the API server does not serve ciliumnetworkpolicies in cilium\.io/,
  });

  const lacking = await calicoCluster(t);
  lacking.enforceRbac(
    rbac(lacking, (role) => {
      role.rules = role.rules.filter((r: Json) => !r.apiGroups.includes('crd.projectcalico.org'));
    }),
  );
  // Without a rule for Calico's group the API server answers 403 whether or not the kind exists:
  // it authorizes before it routes. Discovery said it exists, so the 403 is a missing permission.
  await t.rejects(readClusterObjects(apiOf(lacking), []), {
    code: 403,
    message:
      /^forbidden: missing RBAC permission to list globalnetworkpolicies\.crd\.projectcalico\.org cluster-wide \(simulate --cluster reads with the ClusterRole prober-simulate: kubectl apply -f k8s\/prober\/simulate\/prober-simulate\.yaml/,
  });

  const none = await FakeApiServer.start(t);
  none.enforceRbac([]);
  await t.rejects(readClusterObjects(apiOf(none), []), {
    code: 403,
    message: /^forbidden: missing RBAC permission to list (namespaces|pods|services) cluster-wide \(simulate/,
  });
});

t.test('lists come a page at a time: every pod of a big cluster is read', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.enforceRbac(rbac(fake));
  const count = LIST_PAGE_SIZE * 2 + 1;
  for (let i = 0; i < count; i += 1)
    fake.addPod({ namespace: 'big', name: `p-${i}`, labels: { app: 'big' }, ip: `10.1.${i >> 8}.${i & 255}` });
  const { objects } = await readClusterObjects(apiOf(fake), []);
  t.equal(objects.filter((o) => o.kind === 'Pod').length, count);
  t.same(
    fake.seen('list', 'pods').map((r) => r.code),
    [200, 200, 200],
    'three pages',
  );
});

t.test(
  'with -f, the files give the policies and the cluster the topology; its own policies are not read',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.enforceRbac(rbac(fake));
    for (const ns of ['c-app-count', 'd-redis']) fake.addNamespace(ns, { name: ns });
    fake.addPod({ namespace: 'c-app-count', name: 'app-1', labels: { app: 'pythonapp' }, ip: '10.244.2.10' });
    fake.addPod({ namespace: 'd-redis', name: 'redis-0', labels: { app: 'redis' }, ip: '10.244.3.10' });
    fake.addPod({ namespace: 'd-redis', name: 'other-1', labels: { app: 'other' }, ip: '10.244.3.11' });
    const live = await readLive({ kubeconfig: fake.kubeconfig }, [], false, {
      env: process.env,
      stdin: inputIo().stdin,
    });
    t.same(fake.seen('list', 'networkpolicies'), [], 'the live policies are not read');
    const model = await loadPolicyModel([join(ROOT, 'policies', 'networkpolicy')], { live, ...silent });
    const verdict = (from: string): string =>
      model.decide({ from: { workload: from }, to: { workload: 'd-redis/redis-0' }, port: 6379 }).verdict;
    t.equal(verdict('c-app-count/app-1'), 'allow');
    t.equal(verdict('d-redis/other-1'), 'deny', 'the policy from the file applies to the live pods');

    await t.rejects(loadPolicyModel([join(ROOT, 'k8s')], { live, ...silent }), {
      message:
        /: kind: (Deployment|StatefulSet|Service|Namespace|DaemonSet): with --cluster, the namespaces, pods and Services come from the cluster; -f takes policies only$/,
    });
  },
);

t.test('an unreachable API server and rejected credentials are one line each', async (t) => {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'simulate-live');
  const badToken = join(dir, 'bad-token');
  writeFileSync(badToken, JSON.stringify(fake.kubeconfigObject('not-the-token')));
  await t.rejects(readClusterObjects(clientNodeApi(connect({ kubeconfig: badToken, env: process.env }), noRetry), []), {
    code: 401,
    message: /^the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ rejected the credentials \(401 Unauthorized\)/,
  });
  // A port that was just free: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const closed = join(dir, 'closed');
  const unreachable = {
    name: 'fake',
    cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
  };
  writeFileSync(closed, JSON.stringify({ ...fake.kubeconfigObject(), clusters: [unreachable] }));
  await t.rejects(readClusterObjects(clientNodeApi(connect({ kubeconfig: closed, env: process.env }), noRetry), []), {
    message: new RegExp(`^cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
  });
});
