// `prober simulate` with a ClusterNetworkPolicy `nodes` egress peer from files: Node manifests among the
// inputs (as `kubectl get nodes -o yaml` gives them) decide a node address; without them it is undecidable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const FILES: Record<string, string> = {
  'apps/pods.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.9.0.1, podIPs: [{ip: 10.9.0.1}]}
`,
  'policy/cnp.yaml': `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-nodes}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress: [{name: workers, action: Deny, to: [{nodes: {matchLabels: {node-role.kubernetes.io/worker: ""}}}]}]
`,
  'nodes/nodes.yaml': `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1, labels: {node-role.kubernetes.io/worker: ""}}
  status: {addresses: [{type: InternalIP, address: 192.168.0.11}, {type: Hostname, address: worker-1}]}
- apiVersion: v1
  kind: Node
  metadata: {name: cp-1, labels: {node-role.kubernetes.io/control-plane: ""}}
  status: {addresses: [{type: InternalIP, address: 192.168.0.1}]}
`,
};

const dir = tempDir(t, 'simulate-nodes');
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const explain = (ip: string, ...files: string[]) =>
  cli(['simulate', ...files.flatMap((f) => ['-f', f]), '--explain', 'shop/web', ip, '10250'], { cwd: dir });

t.test('Node manifests among the inputs decide a node address', async (t) => {
  const worker = await explain('192.168.0.11', 'apps', 'policy', 'nodes');
  t.equal(worker.status, 0, worker.stderr);
  t.match(worker.stdout, /: DENY\n/);
  t.match(worker.stdout, /denied by ClusterNetworkPolicy no-nodes egress\[0\] "workers"/);
  const cp = await explain('192.168.0.1', 'apps', 'policy', 'nodes');
  t.match(cp.stdout, /: ALLOW\n/, 'a node the selector leaves out');
});

t.test('without Node manifests a node address is undecidable, with the reason', async (t) => {
  const out = await explain('192.168.0.11', 'apps', 'policy');
  t.match(out.stdout, /: UNKNOWN\n/);
  t.match(out.stdout, /the inputs give no Node objects/);
  const matrix = await cli(['simulate', '-f', 'apps', '-f', 'policy', '--port', '80'], { cwd: dir });
  t.equal(matrix.status, 0, `pods are never a node's address: the matrix is decided\n${matrix.stderr}`);
});
