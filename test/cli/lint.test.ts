// `prober lint` end to end from source: findings with file:line as a table, JSON and SARIF 2.1.0 (validated against
// the official schema), --fail-on and exit codes, bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { sarifSchemaErrors } from '../helpers/sarif-schema.ts';

const FILES: Record<string, string> = {
  'k8s/apps.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
`,
  'policies/web.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: https}]}]
`,
  'clean/web.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: http}]}]
`,
  'warn/web.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
`,
  // A directory name with an escape sequence: it reaches the table as the finding's file.
  'evil\u001b[2J/web.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
`,
};

const dir = mkdtempSync(join(tmpdir(), 'prober-test-lint-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const run = (...args: string[]) => cli(['lint', ...args], { cwd: dir });

t.test('a table of findings with file:line, id, severity and fix; exit 1 on an error', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'policies');
  t.equal(out.status, 1, out.stderr);
  t.match(
    out.stdout,
    /^policies\/web\.yaml:1 {2}warning {2}PL001 policy-selects-nothing\n {2}NetworkPolicy shop\/web-typo selects no pod/m,
  );
  t.match(out.stdout, /^policies\/web\.yaml:7 {2}error {2}PL004 named-port-unexposed\n.*"https" \(TCP\).*\n {2}fix: /m);
  t.match(out.stdout, /PL008 service-unreachable\n {2}Service shop\/web port 80\/TCP → targetPort http/);
  t.match(
    out.stdout,
    /\d+ findings: \d+ errors?, 1 warning \(2 policies, 1 workload, 1 Service\) · fail on error: exit 1\n$/,
  );
});

t.test('--fail-on sets the threshold; a clean set exits 0', async (t) => {
  t.equal((await run('-f', 'k8s', '-f', 'clean')).status, 0);
  t.equal((await run('-f', 'k8s', '-f', 'warn')).status, 0, 'a warning does not fail by default');
  t.equal((await run('-f', 'k8s', '-f', 'warn', '--fail-on', 'warning')).status, 1);
  t.equal((await run('-f', 'k8s', '-f', 'policies', '--fail-on', 'never')).status, 0);
});

t.test('JSON: a LintReport with counts, findings and their locations', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'policies', '-o', 'json');
  t.equal(out.status, 1);
  const report = JSON.parse(out.stdout);
  t.match(report, {
    apiVersion: 'prober/v1alpha1',
    kind: 'LintReport',
    summary: { warning: 1, failOn: 'error', exitCode: 1 },
  });
  t.match(
    report.findings.find((f: { id: string }) => f.id === 'PL001'),
    { name: 'policy-selects-nothing', severity: 'warning', location: { file: 'policies/web.yaml', line: 1 } },
  );
  t.match(
    report.findings.find((f: { id: string }) => f.id === 'PL008'),
    { severity: 'error', subject: 'Service shop/web 80/TCP', location: { file: 'k8s/apps.yaml', line: 13 } },
  );
});

t.test('SARIF 2.1.0 that the official schema accepts, one rule per check', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'policies', '-o', 'sarif');
  t.equal(out.status, 1);
  const log = JSON.parse(out.stdout);
  t.same(sarifSchemaErrors(log), []);
  const [sarifRun] = log.runs;
  t.equal(sarifRun.tool.driver.rules.length, 8);
  t.match(sarifRun.tool.driver.rules[0], { id: 'PL001', name: 'PolicySelectsNothing' });
  t.match(
    sarifRun.results.find((r: { ruleId: string }) => r.ruleId === 'PL004'),
    {
      level: 'error',
      ruleIndex: 3,
      message: { text: /Fix: use the containerPort name/ },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'policies/web.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 7 },
          },
        },
      ],
    },
  );
  const clean = JSON.parse((await run('-f', 'k8s', '-f', 'clean', '-o', 'sarif')).stdout);
  t.same(sarifSchemaErrors(clean), []);
  t.same(clean.runs[0].results, []);
  t.notOk(
    sarifSchemaErrors({ version: '2.1.0', runs: [{ tool: {} }] }).length === 0,
    'the schema rejects a broken log',
  );
});

t.test('names from manifests reach the terminal escaped', async (t) => {
  const out = await run('-f', 'k8s', '-f', 'evil\u001b[2J');
  t.equal(out.status, 0, out.stderr);
  t.notMatch(out.stdout, /\u001b/);
  t.match(out.stdout, /^evil\\x1b\[2J\/web\.yaml:1 {2}warning {2}PL001/m);
});

t.test('--help teaches: the checks, examples and exit codes', async (t) => {
  const out = await run('--help');
  t.equal(out.status, 0);
  t.match(out.stdout, /PL001 policy selects no pod/);
  t.match(out.stdout, /Examples:\n {2}prober lint -f/);
  t.match(out.stdout, /-o sarif > prober\.sarif/);
  t.match(out.stdout, /Exit codes: 0 no finding at or above --fail-on \(default error\)/);
});

t.test('bad input: one line, exit 2', async (t) => {
  const none = await run();
  t.equal(none.status, 2);
  t.match(none.stderr, /^prober: lint: name the manifests with -f/);
  const missing = await run('-f', 'nowhere');
  t.equal(missing.status, 2);
  t.match(missing.stderr, /^prober: nowhere: unable to read manifests/);
  const format = await run('-f', 'k8s', '-o', 'junit');
  t.equal(format.status, 2);
  t.match(format.stderr, /argument 'junit' is invalid/);
});
