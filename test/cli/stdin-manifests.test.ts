// `simulate -f -` and `lint -f -`: manifests piped in (`kubectl get … -o yaml | prober lint -f -`), by the real binary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const binary = requireBinary();

// What `kubectl get ns,deploy,svc -o yaml` prints: one List.
const CLUSTER = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
`;

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
`;

const dir = tempDir(t, 'stdin-manifests');
mkdirSync(join(dir, 'policies'));
writeFileSync(join(dir, 'policies', 'web.yaml'), POLICY);
const run = (args: readonly string[], input: string) => spawnSync(binary, args, { cwd: dir, input, encoding: 'utf8' });

t.test('lint -f -: the findings name <stdin> and its lines', async (t) => {
  const out = run(['lint', '-f', '-', '--fail-on', 'warning'], `${CLUSTER}---\n${POLICY}`);
  t.equal(out.status, 1, out.stderr);
  t.match(out.stdout, /^<stdin>:19 {2}warning {2}PL001 policy-selects-nothing\n/m);
});

t.test('simulate -f - with a directory: the workloads from stdin, the policies from files', async (t) => {
  const out = run(['simulate', '-f', '-', '-f', 'policies', '-o', 'json'], CLUSTER);
  t.equal(out.status, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  t.same(
    report.targets.map((x: { name: string }) => x.name),
    ['shop/web:8080'],
  );
});

t.test('a YAML error on stdin names <stdin> and its line', async (t) => {
  const out = run(['lint', '-f', '-'], 'kind: [\n');
  t.equal(out.status, 2);
  t.match(out.stderr, /^prober: <stdin>:\d+/);
  t.equal(out.stderr.split('\n').length, 2, 'one line');
});

t.test('stdin is read once: - twice, or with --test -, is one line and exit 2', async (t) => {
  for (const args of [
    ['simulate', '-f', '-', '-f', '-'],
    ['lint', '-f', '-', '-f', '-'],
    ['simulate', '--test', '-', '-f', '-'],
  ]) {
    const out = run(args, CLUSTER);
    t.equal(out.status, 2, args.join(' '));
    t.equal(out.stderr, 'prober: stdin can be read once: name - at most once among -f and --test\n');
    t.equal(out.stdout, '');
  }
});

t.test('migrate -f -: `kubectl get adminnetworkpolicies -o yaml` piped in, problems at <stdin> lines', async (t) => {
  const list = `apiVersion: v1
kind: List
items:
- apiVersion: policy.networking.k8s.io/v1alpha1
  kind: AdminNetworkPolicy
  metadata: {name: default}
  spec: {priority: 3, subject: {namespaces: {}}, ingress: [{action: Allow, from: [{namespaces: {}}]}]}
- apiVersion: policy.networking.k8s.io/v1alpha1
  kind: BaselineAdminNetworkPolicy
  metadata: {name: default}
  spec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}
`;
  const out = run(['migrate', '-f', '-'], list);
  t.equal(out.status, 2);
  t.equal(out.stdout, '');
  t.match(
    out.stderr,
    /^prober: <stdin>:10: BaselineAdminNetworkPolicy default: metadata\.name: the ClusterNetworkPolicy name is already taken/m,
  );
  const ok = run(['migrate', '-f', '-'], list.replace('metadata: {name: default}', 'metadata: {name: admin}'));
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /kind: ClusterNetworkPolicy\nmetadata:\n {2}name: admin\n[\s\S]*---\n[\s\S]*tier: Baseline/);
});
