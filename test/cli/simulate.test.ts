// `prober simulate` end to end from source: matrix, --port, --explain, --diff, --test, bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

const FILES: Record<string, string> = {
  'k8s/ns.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: data}
`,
  'k8s/apps.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: data}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: redis, ports: [{name: redis, containerPort: 6379}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec: {selector: {app: cache}, ports: [{port: 6379, targetPort: redis}]}
`,
  'strict/cache.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-closed, namespace: data}
spec:
  podSelector: {}
`,
  'open/cache.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-from-shop, namespace: data}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}], ports: [{port: redis}]}]
`,
  'bad/policy.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd, namespace: data}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {}, ipBlock: {cidr: 10.0.0.0/8}}]
`,
  'test.yaml': `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: shop-cache}
spec:
  sources:
    web: {namespace: shop, selector: {app: web}}
  targets:
    cache: {url: "redis://cache.data.svc.cluster.local:6379"}
  expect:
    - {name: "web uses the cache", from: web, to: cache, verdict: allow}
  fromPolicies:
    policies: [open]
    workloads: [k8s]
`,
};

const dir = mkdtempSync(join(tmpdir(), 'prober-test-simulate-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const run = (...args: string[]) => cli(['simulate', ...args], { cwd: dir });

t.test('-o junit without expectations: no cell is checked, so no testcase, and the document is complete', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'strict', '-o', 'junit');
  t.equal(out.status, 0, out.stderr);
  t.match(
    out.stdout,
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="prober" tests="0" failures="0" errors="0"/,
  );
  t.notMatch(out.stdout, /<testcase/);
  t.match(out.stdout, /<\/testsuites>\n$/);
});

t.test('the matrix of every workload on every port it serves, as a report', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'strict', '-o', 'json');
  t.equal(out.status, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  t.same(reportSchemaErrors(report), []);
  t.equal(report.metadata.backend, 'simulated');
  t.same(
    report.targets.map((x: { name: string }) => x.name),
    ['data/cache:6379', 'shop/web:8080'],
  );
  const cell = (from: string, to: string) =>
    report.cells.find((c: { from: string; to: string }) => c.from === from && c.to === to);
  t.match(cell('shop/web', 'data/cache:6379'), {
    observed: 'deny',
    reason: 'timeout',
    result: 'unchecked',
    detail: /isolated by NetworkPolicy data\/cache-closed/,
  });
  t.match(cell('data/cache', 'shop/web:8080'), { observed: 'allow', reason: 'connected' });
  const table = await run('-f', 'k8s', '-f', 'open', '--port', '6379');
  t.equal(table.status, 0);
  t.match(table.stdout, /data\/cache:6379 .* shop\/web:6379/);
  t.match(table.stdout, /4 cells: .* exit 0/);
});

t.test('--explain names the policies and rules, through a Service too', async (t) => {
  const denied = await run('-f', 'k8s', '-f', 'strict', '--explain', 'shop/web', 'cache.data', '6379');
  t.equal(denied.status, 0, denied.stderr);
  t.match(denied.stdout, /^shop\/web → data\/cache on 6379\/TCP: DENY\n/);
  t.match(
    denied.stdout,
    /ingress to data\/cache: isolated by NetworkPolicy data\/cache-closed; no rule allows traffic from shop\/web on 6379\/TCP: denied/,
  );
  const json = await run('-f', 'k8s', '-f', 'open', '--explain', 'shop/web', 'data/cache', '6379/tcp', '-o', 'json');
  const [decision] = JSON.parse(json.stdout);
  t.match(decision, { verdict: 'allow', ingress: { rules: ['NetworkPolicy data/cache-from-shop ingress[0]'] } });
  const bad = await run('-f', 'k8s', '--explain', 'shop/nope', 'data/cache', '6379');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--explain FROM: "shop\/nope" is neither a workload/);
});

t.test('--diff lists the cells that change, exit 1 when some do', async (t) => {
  const changed = await run('-f', 'k8s', '--diff', 'strict', 'open');
  t.equal(changed.status, 1);
  t.match(changed.stdout, /shop\/web → data\/cache:6379\/TCP: deny → allow/);
  t.match(changed.stdout, /1 of 4 cells changes between strict and open/);
  const same = await run('-f', 'k8s', '--diff', 'open', 'open', '-o', 'json');
  t.equal(same.status, 0);
  t.match(JSON.parse(same.stdout), { kind: 'PolicyDiff', cells: 4, changes: [] });
});

t.test('--test judges a ReachabilityTest against the policies', async (t) => {
  const ok = await run('--test', 'test.yaml');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /1 cell: 1 pass/);
  const fail = await run('--test', 'test.yaml', '-f', 'k8s', '-f', 'strict', '-o', 'json');
  t.equal(fail.status, 1);
  t.match(JSON.parse(fail.stdout).cells[0], { result: 'fail', rule: 'web uses the cache', observed: 'deny' });
});

t.test('bad input: one line naming what is wrong, exit 2', async (t) => {
  const rows: [string, string[], RegExp][] = [
    ['no manifests', [], /name the manifests with -f/],
    ['bad port', ['-f', 'k8s', '--port', '99999'], /--port: "99999" is not a port/],
    [
      'unsupported policy field',
      ['-f', 'k8s', '-f', 'bad'],
      /bad\/policy\.yaml:7: NetworkPolicy data\/odd: spec\.ingress\[0\]\.from\[0\]: ipBlock cannot be combined/,
    ],
    ['two modes', ['-f', 'k8s', '--diff', 'a', 'b', '--explain', 'x', 'y', '1'], /one of --explain, --diff and --test/],
    ['missing path', ['-f', 'nowhere'], /^prober: nowhere: unable to read manifests: no such file or directory\n$/],
  ];
  for (const [name, args, message] of rows) {
    const out = await run(...args);
    t.equal(out.status, 2, `${name}: exit 2`);
    t.match(out.stderr, message, name);
    t.equal(out.stdout, '', `${name}: nothing on stdout`);
  }
});

t.test('check refuses `expect: fromPolicies` when the model cannot place its local source', async (t) => {
  writeFileSync(
    join(dir, 'local.yaml'),
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: l}\nspec:\n  sources: {here: {local: true}}\n  targets: {t: {url: "tcp://127.0.0.1:9"}}\n  expect: fromPolicies\n  fromPolicies: {policies: [open], workloads: [k8s]}\n',
  );
  const out = await cli(['check', '-f', 'local.yaml'], { cwd: dir });
  t.equal(out.status, 2);
  t.match(
    out.stderr,
    /local\.yaml: spec\.expect: the policy model cannot decide any cell of this test \(a local source/,
  );
});
