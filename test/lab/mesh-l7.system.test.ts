// AuthorizationPolicy's HTTP fields through the lab's sidecars: the engine's per-request policy compiled to HAProxy,
// which answers a denied request 403 "RBAC: access denied" as Envoy's RBAC HTTP filter does (istio/istio
// tests/integration/security/authz_test.go, TestAuthz_Path and TestAuthz_Deny), and a DENY rule naming a path on a
// TCP port dropping the path as pilot/pkg/security/authz/model/model.go (rule.checkError) does. Probes are real.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { requireBinary } from '../helpers/prober.ts';
import { type ReportCell, reportSchemaErrors } from '../helpers/report-schema.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'mesh')]);
const POLICIES = join(LAB_FIXTURES, 'mesh-l7');
const TEST = join(LAB_FIXTURES, 'mesh-l7-test.yaml');

/** curl from a pod of the lab: the body and the status. */
function curl(ns: string, pod: string, method: string, path: string): string {
  const argv = ['curl', '-s', '-X', method, '-w', ' %{http_code}', `http://web.shop.svc.cluster.local${path}`];
  const run = spawnSync('ip', ['netns', 'exec', `${name}-${ns}-${pod}-0`, ...argv], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return run.stdout;
}

t.test('simulate and lint accept the policies, and the model decides every cell of the test', async (t) => {
  const simulate = spawnSync(
    requireBinary(),
    ['simulate', '--test', TEST, '-f', POLICIES, '-f', join(LAB_FIXTURES, 'mesh'), '-o', 'json'],
    {
      encoding: 'utf8',
    },
  );
  t.equal(simulate.stderr, '');
  const cells = JSON.parse(simulate.stdout).cells as ReportCell[];
  t.same(
    cells.map((c) => `${c.from} ${c.to} ${c.observed}`),
    [
      'app api allow',
      'app admin deny',
      'app other deny',
      'app redis allow',
      'client api allow',
      'client admin allow',
      'client other deny',
      'client redis deny',
    ],
  );
  const lint = spawnSync(requireBinary(), ['lint', '-f', POLICIES, '-f', join(LAB_FIXTURES, 'mesh')], {
    encoding: 'utf8',
  });
  t.equal(lint.status, 0, lint.stdout + lint.stderr);
});

t.test('methods and paths: the sidecar allows GET /api/*, answers 403 otherwise, as the model says', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', POLICIES]);
  t.equal(apply.status, 0, apply.stderr);
  const run = lab(['test', '--name', name, '-f', TEST, '-o', 'json']);
  const report = JSON.parse(run.stdout);
  t.same(reportSchemaErrors(report), []);
  t.equal(run.status, 0, 'every probe outcome as the model says');
  const cell = (from: string, to: string) => (report.cells as ReportCell[]).find((c) => c.from === from && c.to === to);
  t.match(cell('app', 'api'), { result: 'pass', observed: 'allow', reason: 'http-200' });
  t.match(cell('client', 'api'), { result: 'pass', observed: 'allow', reason: 'http-200' });
  t.match(
    cell('app', 'admin'),
    { result: 'pass', observed: 'deny', reason: 'http-403' },
    'the DENY on a path, for front',
  );
  t.match(cell('client', 'admin'), { result: 'pass', observed: 'allow', reason: 'http-200' });
  t.match(cell('client', 'other'), { result: 'pass', observed: 'deny', reason: 'http-403' });
  // On redis' TCP port the DENY rule lost its path: every source outside front is closed.
  t.match(cell('client', 'redis'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong' });
});

t.test('a POST to an allowed path is denied by the method, with the body Envoy sends', async (t) => {
  // The model's verdict for POST is in test/policy/istio-http.test.ts ("methods and paths in one operation …").
  t.equal(curl('outside', 'client', 'POST', '/api/items'), 'RBAC: access denied 403');
  t.equal(curl('outside', 'client', 'GET', '/api/items').endsWith(' 200'), true);
  t.equal(curl('outside', 'client', 'GET', '/API/items'), 'RBAC: access denied 403', 'paths compare with case');
});
