// `prober simulate` with ClusterNetworkPolicy files: the Admin tier decides before NetworkPolicy, a tie
// the API leaves open is an undecidable cell (exit 2), and a manifest the CRD would refuse is one line
// naming file, line and field (exit 2).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const pod = (name: string, ns: string, ip: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: {app: ${name}}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\nstatus: {phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}\n---\n`;
const cnp = (name: string, priority: number, action: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: Admin
  priority: ${priority}
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress:
  - name: from-web
    action: ${action}
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: web}}}]
    protocols: [{tcp: {destinationPort: {number: 80}}}]
---
`;

const FILES: Record<string, string> = {
  'apps/pods.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n---\n${pod('server', 'shop', '10.9.0.1')}${pod('client', 'web', '10.9.1.1')}`,
  'np/open.yaml':
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{}]\n',
  'deny/cnp.yaml': cnp('deny-web', 10, 'Deny'),
  'tie/cnp.yaml': cnp('deny-web', 10, 'Deny') + cnp('accept-web', 10, 'Accept'),
  'bad/cnp.yaml': cnp('bad', 10, 'Allow'),
};

const dir = tempDir(t, 'simulate-cnp');
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const run = (...args: string[]) => cli(args, { cwd: dir });
const cellOf = (stdout: string) =>
  JSON.parse(stdout).cells.find(
    (c: { from: string; to: string }) => c.from === 'web/client' && c.to === 'shop/server:80',
  );

t.test('an Admin tier Deny wins over a NetworkPolicy that allows everything', async (t) => {
  const open = await run('simulate', '-f', 'apps', '-f', 'np', '--port', '80', '-o', 'json');
  t.equal(open.status, 0, open.stderr);
  t.match(cellOf(open.stdout), { observed: 'allow' });
  const denied = await run('simulate', '-f', 'apps', '-f', 'np', '-f', 'deny', '--port', '80', '-o', 'json');
  t.equal(denied.status, 0, denied.stderr);
  t.match(cellOf(denied.stdout), {
    observed: 'deny',
    detail: /denied by ClusterNetworkPolicy deny-web ingress\[0\] "from-web"/,
  });
});

t.test('two Admin policies of one priority that disagree: undecidable, exit 2, with a warning', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'np', '-f', 'tie', '--port', '80', '-o', 'json');
  t.equal(out.status, 2, out.stderr);
  t.match(cellOf(out.stdout), { observed: 'error', reason: 'undecidable', detail: /same tier and priority/ });
  t.match(out.stderr, /ClusterNetworkPolicy accept-web and ClusterNetworkPolicy deny-web have the same priority 10/);
});

t.test('a value the CRD refuses is one line naming file, line and field', async (t) => {
  const out = await run('simulate', '-f', 'apps', '-f', 'bad');
  t.equal(out.status, 2);
  t.equal(
    out.stderr,
    'prober: bad/cnp.yaml:10: ClusterNetworkPolicy bad: spec.ingress[0].action: unsupported value "Allow" (expected Accept, Deny, Pass)\n',
  );
});
