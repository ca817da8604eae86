// The lab's mesh: meshed pods get an HAProxy sidecar that captures their inbound traffic, and
// Istio policies are compiled to it from the policy model. Outcomes as Envoy's RBAC filters give
// them (istio/istio tests/integration/security/authz_test.go: L4 denies close the connection, L7
// denies answer 403 "RBAC: access denied"), proven by real probes through real proxies.

import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { requireBinary } from '../helpers/prober.ts';
import { type ReportCell, reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'mesh')]);
const POLICIES = join(LAB_FIXTURES, 'mesh-policies');
const netns = (ns: string, pod: string): string => `${name}-${ns}-${pod}-0`;

function test(file: string): { status: number | null; cell: (from: string, to: string) => ReportCell | undefined } {
  const run = lab(['test', '--name', name, '-f', join(LAB_FIXTURES, file), '-o', 'json']);
  const report = JSON.parse(run.stdout);
  return {
    status: reportSchemaErrors(report).length > 0 ? -1 : run.status,
    cell: (from, to) => (report.cells as ReportCell[]).find((c) => c.from === from && c.to === to),
  };
}

/** Runs a command inside a pod of the lab and returns its output. */
function inPod(ns: string, pod: string, argv: readonly string[]): string {
  return spawnSync('ip', ['netns', 'exec', netns(ns, pod), ...argv], { encoding: 'utf8', timeout: 10_000 }).stdout;
}

t.test('meshed pods with ports run a sidecar; pods outside the mesh (namespace or pod label) do not', async (t) => {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')) as {
    programs: { pod: string; kind: string; container: string }[];
  };
  const sidecars = state.programs.filter((p) => p.kind === 'sidecar');
  // cron-0 is in the mesh but has no port to capture: no sidecar (and `lab up` did not fail on it).
  t.same(sidecars.map((p) => p.pod).sort(), ['app-0', 'redis-0', 'web-0']);
  t.ok(sidecars.every((p) => p.container === 'istio-proxy'));
  t.match(inPod('shop', 'redis', ['pgrep', '-a', 'haproxy']), /haproxy -db -f/);
  t.match(lab(['status', '--name', name]).stdout, /\nmesh: HAProxy sidecars in redis-0, web-0, app-0; no mTLS/);
});

t.test('inbound traffic reaches the application through the sidecar, on the manifests’ port', async (t) => {
  // Redis sees its clients coming from Istio's inbound passthrough address, not from the caller.
  const viaService = inPod('outside', 'client', ['redis-cli', '-h', 'redis.shop.svc.cluster.local', 'client', 'list']);
  t.match(viaService, /addr=127\.0\.0\.6:\d+ laddr=\S+:6379/);
  const hairpin = inPod('shop', 'redis', ['redis-cli', '-h', 'redis.shop.svc.cluster.local', 'client', 'list']);
  t.match(hairpin, /addr=127\.0\.0\.6:/, 'the pod reaching itself through its Service passes its sidecar too');
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0, 'no policy: everything allowed, through the sidecars');
  t.match(run.cell('client', 'redis'), { observed: 'allow', reason: 'pong' });
});

t.test('AuthorizationPolicy: L4 deny closes on the first data, L7 deny answers 403', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(POLICIES, 'authorization.yaml')]);
  t.equal(apply.status, 0, apply.stderr);
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0, 'every cell as the model says');
  t.match(run.cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong' });
  t.match(run.cell('client', 'redis'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(run.cell('loner', 'redis'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(run.cell('app', 'web'), { result: 'pass', observed: 'allow', reason: 'http-200' });
  t.match(run.cell('client', 'web'), { result: 'pass', observed: 'deny', reason: 'http-403' });
  const curl = inPod('outside', 'client', ['curl', '-s', '-w', ' %{http_code}', 'http://web.shop.svc.cluster.local/']);
  t.equal(curl, 'RBAC: access denied 403', "Envoy's RBAC HTTP filter body");
});

t.test('a tcp:// probe meets the sidecar: the settle window sees a meshed source closed', async (t) => {
  const run = test('mesh-tcp-test.yaml');
  // Envoy's RBAC network filter decides on the first data. From a meshed source that is its own
  // sidecar's (mTLS, metadata exchange): closed within the settle window (ADR 0007).
  t.match(run.cell('web', 'redis-tcp'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(run.cell('app', 'redis-tcp'), { result: 'pass', observed: 'allow', reason: 'connected' });
  // A plaintext source sends nothing first: a bare connect survives the window, only PING tells.
  t.match(run.cell('client', 'redis-tcp'), { observed: 'allow', reason: 'connected', model: { verdict: 'deny' } });
  t.match(run.cell('client', 'redis'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.equal(run.status, 1, 'only a protocol probe tells the truth for a plaintext source');
});

t.test('PeerAuthentication STRICT: plaintext sources are refused at accept, whatever the port', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', POLICIES]);
  t.equal(apply.status, 0, apply.stderr);
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0, 'every cell as the model says');
  t.match(run.cell('client', 'web'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(run.cell('loner', 'web'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
  t.match(run.cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong' });
  const tcp = test('mesh-tcp-test.yaml');
  t.match(tcp.cell('client', 'redis-tcp'), { result: 'pass', observed: 'deny', reason: /^(closed|reset)$/ });
});

/** The pods whose sidecar the lab's state records. */
function sidecars(): string[] {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')) as {
    programs: { pod: string; kind: string }[];
  };
  return state.programs
    .filter((p) => p.kind === 'sidecar')
    .map((p) => p.pod)
    .sort();
}

t.test('--assume-mesh: every pod but the cluster DNS gets a sidecar, and identities decide', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', POLICIES, '--assume-mesh']);
  t.equal(apply.status, 0, apply.stderr);
  t.same(sidecars(), ['app-0', 'client-0', 'loner-0', 'redis-0', 'web-0']);
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0, 'every cell as the model says');
  // In the mesh, client has an identity (namespace outside): STRICT lets it in, the DENY policy answers.
  t.match(run.cell('client', 'web'), { result: 'pass', observed: 'deny', reason: 'http-403' });
  t.match(run.cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong' });
});

t.test('lab reset opens the sidecars again', async (t) => {
  t.equal(lab(['reset', '--name', name]).status, 0);
  t.same(sidecars(), ['app-0', 'redis-0', 'web-0'], 'the manifests decide membership again');
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0);
  t.match(run.cell('client', 'web'), { observed: 'allow', reason: 'http-200' });
});

t.test('a NetworkPolicy next to the sidecars judges the port the client asked for', async (t) => {
  const apply = lab(['apply', '--name', name, '-f', join(LAB_FIXTURES, 'mesh-netpol')]);
  t.equal(apply.status, 0, apply.stderr);
  const run = test('mesh-test.yaml');
  t.equal(run.status, 0, 'every cell as the model says');
  // Redirected to the sidecar's listener inside the pod, the connection still meets the rule for 6379.
  t.match(run.cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong' });
  t.match(run.cell('client', 'redis'), { result: 'pass', observed: 'deny', reason: 'timeout' });
});

t.test("sidecars start whatever prober's working directory is, even one the lab's user cannot enter", async (t) => {
  // HAProxy returns to the directory it started in after reading its config: started in prober's own
  // working directory (here mode 0700, as a checkout under mktemp is), the lab's uid cannot, and it exits.
  const cwd = tempDir(t, 'cwd');
  chmodSync(cwd, 0o700);
  const other = labName();
  t.teardown(() => {
    lab(['down', '--name', other]);
  });
  const up = spawnSync(requireBinary(), ['lab', 'up', '--name', other, '-f', join(LAB_FIXTURES, 'mesh')], {
    encoding: 'utf8',
    cwd,
  });
  t.equal(up.status, 0, up.stderr);
});
