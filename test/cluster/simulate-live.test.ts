// `prober simulate --cluster`: the policy model of a live cluster, read-only, under the shipped RBAC.
// The Kubernetes API server is the in-process fake of test/cluster/fake/ (there is no cluster on these
// machines): real HTTPS, real paths, discovery, paging, and RBAC from k8s/prober/simulate/ enforced,
// so a list the ClusterRole lacks fails the test.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { runProberHere } from './fake/run-here.ts';

type Json = Record<string, any>;

const POLICY_DIR = join(ROOT, 'policies', 'networkpolicy');
const policyManifests = (): Json[] =>
  readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(POLICY_DIR, f), 'utf8')) as Json);

/** The shipped read-only role, bound to the fake's user as a person would bind it. */
function simulateRbac(fake: FakeApiServer): Json[] {
  const role = parse(readFileSync(join(ROOT, 'k8s', 'prober', 'simulate', 'prober-simulate.yaml'), 'utf8')) as Json;
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'prober-simulate-ci' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prober-simulate' },
    subjects: [{ kind: 'ServiceAccount', name: fake.user.split(':')[3], namespace: fake.user.split(':')[2] }],
  };
  return [role, binding];
}

/** The lab's topology in the fake: three namespaces, one pod each (with IPs and owners), two Services. */
async function liveLab(t: Test, options: { rbac?: boolean } = {}): Promise<FakeApiServer> {
  const fake = await FakeApiServer.start(t);
  if (options.rbac ?? true) fake.enforceRbac(simulateRbac(fake));
  for (const ns of ['b-apacherr', 'c-app-count', 'd-redis']) fake.addNamespace(ns, { name: ns });
  const owned = (pod: Json, kind: string, name: string): void => {
    pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind, name, uid: 'u', controller: true }];
  };
  owned(
    fake.addPod({
      namespace: 'b-apacherr',
      name: 'apacherr-6c9f7d-x2x4q',
      labels: { app: 'apacherr', 'pod-template-hash': '6c9f7d' },
      ip: '10.244.1.10',
      ports: [{ containerPort: 80 }],
    }),
    'ReplicaSet',
    'apacherr-6c9f7d',
  );
  owned(
    fake.addPod({
      namespace: 'c-app-count',
      name: 'app-count-7f8b9-abcde',
      labels: { app: 'pythonapp', 'pod-template-hash': '7f8b9' },
      ip: '10.244.2.10',
      ports: [{ name: 'http', containerPort: 80 }],
    }),
    'ReplicaSet',
    'app-count-7f8b9',
  );
  owned(
    fake.addPod({
      namespace: 'd-redis',
      name: 'redis-0',
      labels: { app: 'redis' },
      ip: '10.244.3.10',
      ports: [{ containerPort: 6379 }],
    }),
    'StatefulSet',
    'redis',
  );
  fake.addService({
    namespace: 'd-redis',
    name: 'redis-svc',
    selector: { app: 'redis' },
    ports: [{ port: 6379 }],
    endpoints: [{ ip: '10.244.3.10', ready: true }],
  });
  return fake;
}

const simulate = (fake: FakeApiServer, ...args: string[]) =>
  runProberHere(['simulate', '--kubeconfig', fake.kubeconfig, ...args]);

t.test('the live cluster gives the same matrix as a dump of the same objects given with -f', async (t) => {
  const fake = await liveLab(t);
  for (const policy of policyManifests()) fake.addPolicy(policy);
  const live = await simulate(fake, '-o', 'json', '--port', '6379');
  t.equal(live.code, 0, live.stderr);
  const report = JSON.parse(live.stdout) as Json;
  const cell = (from: string, to: string): Json => report.cells.find((c: Json) => c.from === from && c.to === to) ?? {};
  t.match(cell('b-apacherr/apacherr-6c9f7d', 'd-redis/redis:6379'), { observed: 'deny' });
  t.match(cell('c-app-count/app-count-7f8b9', 'd-redis/redis:6379'), { observed: 'allow' });
  t.same(
    fake.requests.filter((r) => r.verb !== 'get' && r.verb !== 'list').map((r) => r.verb),
    [],
    'read-only: only get (discovery) and list',
  );

  // The same objects as `kubectl get … -o yaml` would print them, through the file path.
  const dir = tempDir(t, 'simulate-live');
  const dump = join(dir, 'dump.json');
  const items = [...fake.pods(), ...policyManifests()];
  writeFileSync(
    dump,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        ...['b-apacherr', 'c-app-count', 'd-redis'].map((ns) => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, name: ns } },
        })),
        ...items,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'redis-svc', namespace: 'd-redis' },
          spec: { selector: { app: 'redis' }, ports: [{ port: 6379, targetPort: 6379, protocol: 'TCP' }] },
        },
      ],
    }),
  );
  const files = await runProberHere(['simulate', '-f', dump, '-o', 'json', '--port', '6379']);
  t.equal(files.code, 0, files.stderr);
  const cells = (text: string): Json[] => (JSON.parse(text) as Json).cells.map((c: Json) => ({ ...c, latencyMs: 0 }));
  t.same(cells(live.stdout), cells(files.stdout), 'one path from objects on: the same cells and explanations');
});

t.test('--explain from the cluster names the live policies', async (t) => {
  const fake = await liveLab(t);
  for (const policy of policyManifests()) fake.addPolicy(policy);
  const run = await simulate(fake, '--explain', 'b-apacherr/apacherr-6c9f7d', 'redis-svc.d-redis', '6379');
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /deny/);
  t.match(run.stdout, /redis-from-app-count|default-deny-ingress/);
});

t.test('bad news from the cluster is one line on stderr and exit 2', async (t) => {
  const fake = await liveLab(t);
  fake.installCrd('crd.projectcalico.org', 'v1', 'globalnetworkpolicies', 'GlobalNetworkPolicy');
  fake.addPolicy({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'deny-all' },
    spec: { selector: 'all()' },
  });
  const refused = await simulate(fake, '--port', '6379');
  t.equal(refused.code, 2);
  t.equal(refused.stdout, '');
  t.match(refused.stderr, /^prober: live GlobalNetworkPolicy deny-all: kind: GlobalNetworkPolicy .*--ignore-kind/);
  t.equal(refused.stderr.trim().split('\n').length, 1, 'one line');

  const ignored = await simulate(fake, '--port', '6379', '--ignore-kind', 'GlobalNetworkPolicy', '-o', 'json');
  t.equal(ignored.code, 0, ignored.stderr);
  t.match(ignored.stderr, /left out GlobalNetworkPolicy\.crd\.projectcalico\.org as asked by --ignore-kind/);

  // A cluster that gives prober no reading rights at all.
  const bare = await liveLab(t, { rbac: false });
  bare.enforceRbac([]);
  const forbidden = await runProberHere(['simulate', '--context', 'fake', '--kubeconfig', bare.kubeconfig]);
  t.equal(forbidden.code, 2);
  t.match(
    forbidden.stderr,
    /^prober: forbidden: missing RBAC permission to list \S+ cluster-wide \(simulate --cluster/,
  );
  t.equal(forbidden.stderr.trim().split('\n').length, 1, 'one line');
});

t.test('names from the cluster are hostile: control characters never reach the terminal', async (t) => {
  const fake = await liveLab(t);
  fake.addPod({ namespace: 'd-redis', name: 'evil\u001b]0;owned\u0007', labels: { app: 'evil' }, ip: '10.244.3.66' });
  const run = await simulate(fake, '--port', '6379');
  t.equal(run.code, 2, 'a name the API server would never accept is bad input');
  t.notMatch(run.stderr, /[\u001b\u0007]/, 'escaped');
  t.match(run.stderr, /live Pod d-redis\/evil\\x1b\]0;owned\\x07/, run.stderr);
});

t.test('--test and --diff read the same live topology', async (t) => {
  const fake = await liveLab(t);
  for (const policy of policyManifests()) fake.addPolicy(policy);
  const dir = tempDir(t, 'simulate-live');
  const test = join(dir, 'test.yaml');
  writeFileSync(
    test,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: live }
spec:
  sources:
    apache: { namespace: b-apacherr, selector: { app: apacherr } }
    app: { namespace: c-app-count, selector: { app: pythonapp } }
  targets:
    redis: { url: "redis://redis-svc.d-redis.svc.cluster.local:6379" }
  expect:
    - { name: "case 2", from: apache, to: redis, verdict: deny }
    - { from: app, to: redis, verdict: allow }
`,
  );
  const judged = await simulate(fake, '--test', test, '-o', 'json');
  t.equal(judged.code, 0, judged.stderr);
  t.match(JSON.parse(judged.stdout).summary, { pass: 2, fail: 0, error: 0 });

  // Two policy sets on the live topology: without the Redis policies, apache reaches Redis.
  const none = join(dir, 'none');
  mkdirSync(none);
  const diff = await simulate(fake, '--diff', POLICY_DIR, none, '--port', '6379', '-o', 'json');
  t.equal(diff.code, 1, `some cells change: ${diff.stderr}`);
  t.match(diff.stdout, /apacherr-6c9f7d/);
  t.same(fake.seen('list', 'networkpolicies').length, 1, 'only --test read the live policies; --diff has its own');
});
