// Each cause of the mismatch catalogue the lab can make happen, made to happen: the lab's CNI left
// without NetworkPolicy, without ClusterNetworkPolicy or without UDP (`lab apply --unenforced`), a
// server on the node's network (what a hostNetwork pod is), and a mesh sidecar answering a tcp://
// connect, and a source masqueraded to the node's address (`lab apply --snat`) against an ipBlock.
// The report names the cause on the mismatched cells, and on no cell that agrees.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { requireBinary } from '../helpers/prober.ts';
import { type ReportCell, reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const name = labName();
labUp(t, name, [join(LAB_FIXTURES, 'synthetic')]);
const udpLab = labName();
labUp(t, udpLab, [join(LAB_FIXTURES, 'udp')]);
const meshLab = labName();
labUp(t, meshLab, [join(LAB_FIXTURES, 'mesh')]);

function labTest(
  file: string,
  labName = name,
): { status: number | null; cells: ReportCell[]; cell: (f: string, to: string) => ReportCell } {
  const run = lab(['test', '--name', labName, '-f', file, '-o', 'json']);
  const report = JSON.parse(run.stdout);
  const cells = report.cells as ReportCell[];
  return {
    status: reportSchemaErrors(report).length > 0 ? -1 : run.status,
    cells,
    cell: (from, to) => cells.find((c) => c.from === from && c.to === to)!,
  };
}

function applyIn(labName: string, ...args: string[]): void {
  const run = lab(['apply', '--name', labName, ...args]);
  if (run.status !== 0) throw new Error(`lab apply ${args.join(' ')}: ${run.stderr}`);
}

const apply = (...args: string[]): void => applyIn(name, ...args);

const SYNTHETIC = join(LAB_FIXTURES, 'synthetic-test.yaml');
const CNP = join(LAB_FIXTURES, 'cnp-policies');

t.test('no-enforcement: a CNI without NetworkPolicy lets through every cell the model denies', async (t) => {
  apply('-f', join(CNP, 'networkpolicy.yaml'));
  const enforced = labTest(SYNTHETIC);
  t.equal(enforced.status, 0, 'enforced, every cell as the model says');
  t.notOk(
    enforced.cells.some((c) => c.cause),
    'no cell has a cause',
  );
  apply('-f', join(CNP, 'networkpolicy.yaml'), '--unenforced', 'all');
  t.match(
    lab(['status', '--name', name]).stdout,
    /unenforced by the lab's CNI \(lab apply --unenforced\): every L3\/L4/,
  );
  const run = labTest(SYNTHETIC);
  t.equal(run.status, 1);
  t.match(run.cell('web', 'db'), { result: 'fail', observed: 'allow', model: { verdict: 'deny' } });
  const failed = run.cells.filter((c) => c.result === 'fail');
  t.ok(failed.length >= 3, 'gamma denies web, client and batch');
  for (const cell of failed) t.match(cell.cause, { code: 'no-enforcement' }, `${cell.from} → ${cell.to}`);
  t.notOk(run.cell('api', 'db').cause, 'a cell that agrees has no cause');
});

t.test('kind-unsupported: a CNI without ClusterNetworkPolicy enforces the NetworkPolicies alone', async (t) => {
  apply('-f', CNP, '--unenforced', 'ClusterNetworkPolicy');
  const run = labTest(SYNTHETIC);
  t.equal(run.status, 1);
  const named = { code: 'kind-unsupported', sentence: /does not implement ClusterNetworkPolicy$/ };
  t.match(run.cell('api', 'db'), { observed: 'allow', model: { verdict: 'deny' }, cause: named }, 'Admin Deny');
  t.match(run.cell('client', 'api'), { observed: 'allow', model: { verdict: 'deny' }, cause: named }, 'Baseline Deny');
  t.match(run.cell('web', 'db'), { observed: 'deny', model: { verdict: 'allow' }, cause: named }, 'Admin Accept');
  t.match(run.cell('batch', 'db'), { result: 'pass', observed: 'deny' }, "the NetworkPolicy's deny held");
  t.notOk(run.cell('batch', 'db').cause);
});

t.test('protocol-unsupported: a CNI that filters no UDP', async (t) => {
  applyIn(udpLab, '-f', join(LAB_FIXTURES, 'udp-policies'), '--unenforced', 'udp');
  const run = labTest(join(LAB_FIXTURES, 'udp-test.yaml'), udpLab);
  t.equal(run.status, 1);
  t.match(run.cell('stranger', 'dns-udp'), {
    result: 'fail',
    observed: 'allow',
    reason: 'replied',
    model: { verdict: 'deny' },
    cause: { code: 'protocol-unsupported', sentence: /for UDP$/ },
  });
  t.match(run.cell('stranger', 'dns-tcp'), { result: 'pass', observed: 'deny' });
  t.match(run.cell('client', 'dns-tcp'), { result: 'pass', observed: 'deny' }, 'TCP still filtered');
});

t.test('host-network: a server on the node, which the lab (like many CNIs) never filters', async (t) => {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8'));
  const { nodeNetns, nodeIp, services } = state.topology as {
    nodeNetns: string;
    nodeIp: string;
    services: { namespace: string; name: string; clusterIp: string }[];
  };
  // By address: alpha's pods may not ask the cluster DNS either.
  const api = services.find((s) => s.namespace === 'beta' && s.name === 'api')!.clusterIp;
  // A hostNetwork pod's server listens in the node's network namespace, on the node's address.
  const server = spawn('ip', ['netns', 'exec', nodeNetns, requireBinary(), 'serve', '--port', '7719'], {
    stdio: 'ignore',
  });
  t.teardown(() => void server.kill());
  await waitFor('the node server to listen', () => listening(nodeNetns, nodeIp));
  apply('-f', join(LAB_FIXTURES, 'causes', 'alpha-no-egress.yaml'));
  const file = join(tempDir(t, 'causes'), 'node-test.yaml');
  writeFileSync(
    file,
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: node }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources:
    web: { namespace: alpha, selector: { app: web } }
    api: { namespace: beta, selector: { app: api } }
  targets:
    node: { url: "tcp://${nodeIp}:7719" }
    api: { url: "http://${api}/" }
  expect: fromPolicies
`,
  );
  const run = labTest(file);
  t.equal(run.status, 1);
  t.match(run.cell('web', 'node'), {
    result: 'fail',
    observed: 'allow',
    model: { verdict: 'deny' },
    cause: { code: 'host-network', sentence: /^the target uses its node's network/ },
  });
  t.match(run.cell('web', 'api'), { result: 'pass', observed: 'deny' }, 'the egress policy holds for pods');
  t.match(run.cell('api', 'node'), { result: 'pass', observed: 'allow' });
  t.notOk(run.cell('api', 'node').cause);
});

/** True once the node's server accepts a connection on its address (probed from the node itself). */
function listening(netns: string, ip: string): boolean {
  const argv = [
    'netns',
    'exec',
    netns,
    requireBinary(),
    'probe',
    '--expect',
    'allow',
    '--timeout',
    '1s',
    `tcp://${ip}:7719`,
  ];
  return spawnSync('ip', argv, { encoding: 'utf8', timeout: 5000 }).status === 0;
}

t.test('mesh-proxy-answers: the sidecar completes a plaintext tcp:// connect it then denies', async (t) => {
  applyIn(meshLab, '-f', join(LAB_FIXTURES, 'mesh-policies', 'authorization.yaml'));
  const run = labTest(join(LAB_FIXTURES, 'mesh-tcp-test.yaml'), meshLab);
  t.match(run.cell('client', 'redis-tcp'), {
    result: 'fail',
    observed: 'allow',
    reason: 'connected',
    model: { verdict: 'deny' },
    cause: { code: 'mesh-proxy-answers', sentence: /completes the TCP handshake/ },
  });
  t.match(run.cell('client', 'redis'), { result: 'pass', observed: 'deny' }, 'a protocol probe tells the truth');
  t.notOk(run.cell('client', 'redis').cause);
});

t.test('ipblock-snat: a source masqueraded to the node meets an ipBlock written for its pod address', async (t) => {
  const state = JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8'));
  const pods = state.topology.pods as { workload: string; netns: string; ips: string[] }[];
  const [client4, client6] = pods.find((p) => p.workload === 'alpha/client')!.ips;
  const [web4, web6] = pods.find((p) => p.workload === 'alpha/web')!.ips;
  const policy = join(tempDir(t, 'snat'), 'api-from-addresses.yaml');
  writeFileSync(
    policy,
    `# api admits the pod network by address, but neither of alpha's pods.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api-from-addresses, namespace: beta }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress:
    - from:
        - ipBlock: { cidr: 10.244.0.0/16, except: [${client4}/32, ${web4}/32] }
        - ipBlock: { cidr: "fd00:10:244::/64", except: ["${client6}/128", "${web6}/128"] }
`,
  );
  apply('-f', policy, '--snat', 'alpha/client');
  t.match(
    lab(['status', '--name', name]).stdout,
    /masqueraded to the node's address \(lab apply --snat\): alpha\/client/,
  );
  // What api sees: the node's address, not the client's.
  const clientNetns = pods.find((p) => p.workload === 'alpha/client')!.netns;
  const seen = spawnSync(
    'ip',
    ['netns', 'exec', clientNetns, 'curl', '-s', '-m', '5', 'http://api.beta.svc.cluster.local/'],
    {
      encoding: 'utf8',
    },
  );
  t.match(JSON.parse(seen.stdout), { client: `::ffff:${state.topology.nodeIp}` });
  const run = labTest(SYNTHETIC);
  t.equal(run.status, 1);
  t.match(run.cell('client', 'api'), {
    result: 'fail',
    observed: 'allow',
    model: { verdict: 'deny' },
    cause: { code: 'ipblock-snat', sentence: new RegExp(`rests on ipBlock 10\\.244\\.0\\.0/16 except ${client4}/32`) },
  });
  t.match(run.cell('web', 'api'), { result: 'pass', observed: 'deny' }, 'the ipBlock holds for a pod not masqueraded');
  t.match(run.cell('db', 'api'), { result: 'pass', observed: 'allow' });
  t.notOk(run.cell('web', 'api').cause);
  // Applied again without --snat, the client's traffic goes straight to the pods again.
  apply('-f', policy);
  t.match(labTest(SYNTHETIC).cell('client', 'api'), { result: 'pass', observed: 'deny' }, 'the direct route is back');
});

t.test('--unenforced takes all, udp, sctp or an L3/L4 kind, --snat a workload; else exit 2 in one line', async (t) => {
  const bad = lab(['apply', '--name', name, '-f', CNP, '--unenforced', 'tcp']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--unenforced "tcp": expected all, udp, sctp, or a policy kind/);
  const mesh = lab(['apply', '--name', name, '-f', CNP, '--unenforced', 'AuthorizationPolicy']);
  t.equal(mesh.status, 2);
  t.match(mesh.stderr, /sidecars enforce AuthorizationPolicy, not its CNI/);
  const nobody = lab(['apply', '--name', name, '-f', CNP, '--snat', 'alpha/nobody']);
  t.equal(nobody.status, 2);
  t.match(nobody.stderr, /--snat "alpha\/nobody": no workload of the lab is named so/);
});
