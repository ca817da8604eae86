// Error cells and the exit code: a checked error cell is exit 2; an error cell no rule names is not judged,
// leaves the exit code alone, and is still listed with its reason and counted in the verdict line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';
import { SHOP_CLOSED } from './shop-closed.ts';

const dir = tempDir(t, 'error-cells');
mkdirSync(join(dir, 'k8s'));
writeFileSync(join(dir, 'k8s', 'shop.yaml'), SHOP_CLOSED);
/** A test of web → web (denied by the policy) and web → nowhere (no such Service: an error cell). */
const testFile = (rules: string) => `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: errors}
spec:
  sources:
    web: {namespace: shop, selector: {app: web}}
  targets:
    web: {url: "tcp://web.shop:8080"}
    nowhere: {url: "tcp://nowhere.shop:8080"}
  expect:
${rules}`;
writeFileSync(join(dir, 'unchecked.yaml'), testFile('    - {from: web, to: web, verdict: deny}\n'));
writeFileSync(join(dir, 'checked.yaml'), testFile('    - {from: web, to: "*", verdict: deny}\n'));
writeFileSync(
  join(dir, 'one.yaml'),
  testFile('    - {from: web, to: web, verdict: deny}\n').replace(
    '    nowhere: {url: "tcp://nowhere.shop:8080"}\n',
    '',
  ),
);
const simulate = (...args: string[]) => cli(['simulate', '-f', 'k8s', ...args], { cwd: dir });

t.test('an error cell no rule names: exit 0, listed with its reason, counted in the verdict line', async (t) => {
  for (const style of ['wide', 'compact']) {
    const out = await simulate('--test', 'unchecked.yaml', '--table', style);
    t.equal(out.status, 0, out.stderr);
    t.match(
      out.stdout,
      /\n! web → nowhere: the check failed \(dns\); no rule names this cell\n {4}tcp:\/\/nowhere\.shop:8080 · simulated: no Service shop\/nowhere in the manifests/,
      `${style}: the bare ! has its reason`,
    );
    t.match(
      out.stdout,
      /\n2 cells: 1 pass, 0 fail, 0 error, 1 unchecked \(1 of them an error\) — exit 0: every checked cell matched\n$/,
    );
  }
});

t.test('an error cell a rule names: exit 2', async (t) => {
  const out = await simulate('--test', 'checked.yaml');
  t.equal(out.status, 2, out.stderr);
  t.match(out.stdout, /\n2 cells: 1 pass, 0 fail, 1 error, 0 unchecked — exit 2: the run could not decide\n$/);
});

t.test('one cell is "1 cell"', async (t) => {
  const out = await simulate('--test', 'one.yaml');
  t.equal(out.status, 0, out.stderr);
  t.match(out.stdout, /\n1 cell: 1 pass, 0 fail, 0 error, 0 unchecked — exit 0: every checked cell matched\n$/);
  const html = await simulate('--test', 'one.yaml', '-o', 'html');
  t.match(html.stdout, /<p>1 source × 1 target\. Hover/);
});

t.test('the matrix of simulate: an undecidable cell is listed with its reason, exit 2', async (t) => {
  writeFileSync(
    join(dir, 'k8s', 'ipblock.yaml'),
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: by-ip, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
`,
  );
  t.teardown(() => writeFileSync(join(dir, 'k8s', 'ipblock.yaml'), ''));
  const out = await simulate();
  t.equal(out.status, 2, out.stderr);
  t.match(out.stdout, /\n! shop\/web → shop\/web:8080: [^\n]+; no rule names this cell\n/);
  t.match(out.stdout, /\n1 cell: 0 pass, 0 fail, 0 error, 1 unchecked \(1 of them an error\) — exit 2/);
});

t.test('--help says the same rule', async (t) => {
  for (const args of [['check', '--help'], ['run', '--help'], ['--help']]) {
    const out = await cli(args);
    t.match(
      out.stdout,
      /An\s+error\s+cell\s+no\s+rule\s+names\s+is\s+listed\s+and\s+counted,\s+but\s+leaves\s+the\s+exit\s+code\s+alone\./,
      args.join(' '),
    );
  }
});
