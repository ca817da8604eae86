// `prober simulate` with manifests as users bring them: pod IPs, undecidable cells, unknown policy kinds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

const FILES: Record<string, string> = {
  'apps/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
  'apps/server.yaml': `apiVersion: v1
kind: Pod
metadata: {name: server, namespace: shop, labels: {app: server}}
spec: {containers: [{name: s, ports: [{containerPort: 80}]}]}
status: {phase: Running, podIP: 10.9.0.1, podIPs: [{ip: 10.9.0.1}]}
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: shop}
spec: {selector: {app: server}, ports: [{port: 80}]}
`,
  // The client as a Deployment: its pods' IPs are not in the manifests.
  'template/client.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec: {template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c}]}}}
`,
  // The same client as a pod dump shows it, with its IP.
  'dump/client.yaml': `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: client-1, namespace: shop, labels: {app: client}}
  spec: {containers: [{name: c}]}
  status: {phase: Running, podIP: 10.1.2.3, podIPs: [{ip: 10.1.2.3}]}
`,
  'policies/from-10.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-10, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: server}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
`,
  'calico/gnp.yaml': `# Calico
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress]}
`,
  'nullsel/p.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: all-pods
  namespace: shop
spec:
  podSelector:
  policyTypes: [Ingress]
`,
  'bad/policies.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 80
      endPort: 70
`,
  'test.yaml': `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: ip-blocks}
spec:
  sources:
    client: {namespace: shop, selector: {app: client}}
  targets:
    server: {url: "tcp://server.shop.svc.cluster.local:80"}
  expect:
    - {from: client, to: server, verdict: allow}
`,
};

const dir = tempDir(t, 'simulate-inputs');
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const run = (...args: string[]) => cli([...args], { cwd: dir });

t.test('an ipBlock against a pod whose IP is not given: an undecidable error cell, exit 2, never a deny', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'template', '-f', 'policies', '--port', '80', '-o', 'json');
  t.equal(out.status, 2, out.stderr);
  const report = JSON.parse(out.stdout);
  t.same(reportSchemaErrors(report), [], 'the report is valid against its schema');
  const cell = report.cells.find(
    (c: { from: string; to: string }) => c.from === 'shop/client' && c.to === 'shop/server:80',
  );
  // No expectation in a bare matrix, so the cell is unchecked; its observation is the error.
  t.match(cell, { observed: 'error', reason: 'undecidable', detail: /status\.podIPs/ });
  t.match(out.stderr, /warning: NetworkPolicy shop\/from-10 ingress\[0\]: 10\.0\.0\.0\/8 may match pods/);
  const table = await run('simulate', '-f', 'apps', '-f', 'template', '-f', 'policies', '--port', '80');
  t.equal(table.status, 2);
  t.match(table.stdout, /│ shop\/client │ +a +│ +! +│/, 'shown as could not decide');
});

t.test('the same cell decided once the pod dump gives the IP', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'dump', '-f', 'policies', '--port', '80', '-o', 'json');
  t.equal(out.status, 0, out.stderr);
  const cell = JSON.parse(out.stdout).cells.find(
    (c: { from: string; to: string }) => c.from === 'shop/client-1' && c.to === 'shop/server:80',
  );
  t.match(cell, { observed: 'allow', reason: 'connected' });
});

t.test('--test: a cell the policies cannot decide is an error, exit 2', async (t) => {
  const undecided = await run(
    'simulate',
    '--test',
    'test.yaml',
    '-f',
    'apps',
    '-f',
    'template',
    '-f',
    'policies',
    '-o',
    'json',
  );
  t.equal(undecided.status, 2, undecided.stderr);
  t.match(JSON.parse(undecided.stdout).cells[0], { result: 'error', reason: 'undecidable' });
  const decided = await run('simulate', '--test', 'test.yaml', '-f', 'apps', '-f', 'dump', '-f', 'policies');
  t.equal(decided.status, 0, decided.stdout + decided.stderr);
});

t.test('a policy kind prober does not evaluate is bad input, unless left out with --ignore-kind', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'calico', '--port', '80');
  t.equal(out.status, 2);
  t.equal(out.stdout, '');
  t.match(
    out.stderr,
    /^prober: calico\/gnp\.yaml:3: kind: GlobalNetworkPolicy \(crd\.projectcalico\.org\/v1, Calico\) is a policy prober does not evaluate;.*--ignore-kind GlobalNetworkPolicy\.crd\.projectcalico\.org/,
  );
  t.equal(out.stderr.trim().split('\n').length, 1, 'one line');
  const ignored = await run(
    'simulate',
    '-f',
    'apps',
    '-f',
    'calico',
    '--port',
    '80',
    '--ignore-kind',
    'GlobalNetworkPolicy.crd.projectcalico.org',
  );
  t.equal(ignored.status, 0, ignored.stderr);
  t.match(
    ignored.stderr,
    /warning: left out 1 GlobalNetworkPolicy\.crd\.projectcalico\.org object\(s\) as asked by --ignore-kind/,
  );
  const bad = await run('simulate', '-f', 'apps', '--ignore-kind', 'Global/Policy');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^prober: --ignore-kind: "Global\/Policy" is not KIND or KIND\.group/);
  for (const command of ['simulate', 'check', 'run'])
    t.match((await run(command, '--help')).stdout, /--ignore-kind <KIND\[\.group\]>/, `${command} --help`);
});

t.test('podSelector with no value selects every pod of the namespace, as the API server reads it', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'dump', '-f', 'nullsel', '--port', '80', '-o', 'json');
  t.equal(out.status, 0, out.stderr);
  const cell = JSON.parse(out.stdout).cells.find(
    (c: { from: string; to: string }) => c.from === 'shop/client-1' && c.to === 'shop/server:80',
  );
  t.match(cell, { observed: 'deny', detail: /isolated by NetworkPolicy shop\/all-pods/ });
});

t.test('a policy error names one location: the field line', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'bad');
  t.equal(out.status, 2);
  t.equal(
    out.stderr,
    'prober: bad/policies.yaml:11: NetworkPolicy shop/p: spec.ingress[0].ports[0].endPort: endPort 70 is below port 80\n',
  );
});
