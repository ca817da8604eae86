// `prober simulate` and `prober lint` on a cluster with a ClusterNetworkPolicy `domainNames` egress rule
// (examples/simulate/fqdn/): modelled, not refused. Name targets are judged by name, a target given as an IP
// that the names may stand for is undecidable (exit 2), and lint reads the rule.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const EXAMPLE = 'examples/simulate/fqdn';
const inputs = ['-f', `${EXAMPLE}/cluster.yaml`, '-f', `${EXAMPLE}/allowlist.yaml`];

t.test('a cluster with an FQDN rule simulates: matrix, test and explain', async (t) => {
  const matrix = await cli(['simulate', ...inputs, '--port', '443', '-o', 'json']);
  t.equal(matrix.status, 0, matrix.stderr);
  const test = await cli(['simulate', ...inputs, '--test', `${EXAMPLE}/test.yaml`, '-o', 'json']);
  t.equal(test.status, 0, test.stderr);
  const cells = JSON.parse(test.stdout).cells as { to: string; observed: string }[];
  t.same(
    cells.map((c) => [c.to, c.observed]),
    [
      ['payments-dns', 'allow'],
      ['payments', 'allow'],
      ['elsewhere', 'deny'],
    ],
  );
  const explain = await cli(['simulate', ...inputs, '--explain', 'shop/checkout', 'api.payments.example', '443']);
  t.equal(explain.status, 0, explain.stderr);
  t.match(explain.stdout, /allowed by ClusterNetworkPolicy shop-egress-allowlist egress\[1\] "payments"/);
});

t.test('a target given as an IP the names may stand for: undecidable, exit 2, with the reason', async (t) => {
  const dir = tempDir(t, 'simulate-fqdn');
  const file = join(dir, 'by-ip.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: by-ip}
spec:
  sources: {checkout: {namespace: shop, selector: {app: checkout}}}
  targets: {by-ip: {url: "https://203.0.113.9"}}
  expect: [{from: checkout, to: by-ip, verdict: allow}]
`,
  );
  const out = await cli(['simulate', ...inputs, '--test', file, '-o', 'json']);
  t.equal(out.status, 2, out.stderr);
  t.match(JSON.parse(out.stdout).cells[0], { observed: 'error', reason: 'undecidable', detail: /DNS answers/ });
});

t.test('lint reads the FQDN rule, and reports an Accept of names after a Deny of every address', async (t) => {
  const clean = await cli(['lint', ...inputs]);
  t.equal(clean.status, 0, clean.stderr);
  t.match(clean.stdout, /0 findings|no findings/i);
  const dir = tempDir(t, 'lint-fqdn');
  const file = join(dir, 'late.yaml');
  writeFileSync(
    file,
    `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: too-late}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - {name: everything, action: Deny, to: [{networks: [0.0.0.0/0, "::/0"]}]}
  - {name: names, action: Accept, to: [{domainNames: [api.payments.example]}]}
`,
  );
  const late = await cli(['lint', '-f', `${EXAMPLE}/cluster.yaml`, '-f', file, '-o', 'json']);
  const ids = (JSON.parse(late.stdout).findings as { id: string; message: string }[]).map(
    (f) => `${f.id} ${f.message}`,
  );
  t.match(ids.join('\n'), /PL003 .*too-late egress\[1\] "names"/);
});
