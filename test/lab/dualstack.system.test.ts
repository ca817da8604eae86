// The dual-stack lab: every pod and Service has an IPv4 and an IPv6 address, names resolve to both,
// and nftables enforces policies per family. The classic hole — a redis ingress policy whose IPv4
// ipBlock leaves the frontend out while its IPv6 side allows everything — shows in prober's matrix
// over both families (IPv4 denied, IPv6 allowed), and `prober simulate` agrees cell for cell.
// Mirrors Kubernetes' rule that an ipBlock of one family never matches traffic of the other.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LAB_FIXTURES, lab, labName, labUp } from '../helpers/lab.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

interface StatePod {
  namespace: string;
  name: string;
  netns: string;
  labels: Record<string, string>;
  ips: string[];
}
interface ReportCell {
  from: string;
  to: string;
  family?: string;
  observed: string;
  reason: string;
  result: string;
  detail?: string;
}

const name = labName();
const FIXTURE = join(LAB_FIXTURES, 'dualstack');
const TEST = join(LAB_FIXTURES, 'dualstack-test.yaml');
labUp(t, name, [FIXTURE]);
const pods = (
  JSON.parse(readFileSync(`/run/prober-lab/${name}/state.json`, 'utf8')) as { topology: { pods: StatePod[] } }
).topology.pods;
const pod = (podName: string): StatePod => pods.find((p) => p.name === podName)!;
const cellsOf = (stdout: string): ReportCell[] => (JSON.parse(stdout) as { cells: ReportCell[] }).cells;
const key = (c: ReportCell) => `${c.from} → ${c.to}`;

t.test('every pod has one address per family and the cluster DNS answers every Service in both', async (t) => {
  for (const p of pods) t.match(p.ips, [/^10\.244\.\d+\.\d+$/, /^fd00:10:244::[0-9a-f]+$/], `${p.name}: ${p.ips}`);
  const hosts = readFileSync(`/etc/netns/${pod('frontend').netns}/hosts`, 'utf8');
  t.notMatch(hosts, /svc\.cluster\.local/, 'Service names come from the cluster DNS, not the hosts file');
  t.match(hosts, new RegExp(`^${pod('frontend').ips[1]} frontend`, 'm'), 'its own name at its IPv6 address');
  // A name without a family asked resolves to IPv4 first, as before the lab had IPv6 (RFC 6724's order).
  const ahosts = spawnSync('ip', ['netns', 'exec', pod('frontend').netns, 'getent', 'ahosts', 'redis.data.svc'], {
    encoding: 'utf8',
  });
  t.match(ahosts.stdout.split('\n')[0], /^10\.96\.\d+\.\d+ /, 'IPv4 first');
  t.match(ahosts.stdout, /^fd00:10:96::[0-9a-f]+ /m, 'IPv6 too');
  // The pod's address is usable at once: no duplicate address detection leaves it tentative.
  const addr = spawnSync('ip', ['-n', pod('redis').netns, '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'global'], {
    encoding: 'utf8',
  });
  t.match(addr.stdout, `inet6 ${pod('redis').ips[1]}/64`);
  t.notMatch(addr.stdout, /tentative/);
});

t.test('with no policy every cell is allowed over each family, through the family asked for', async (t) => {
  const run = lab(['test', '--name', name, '-f', TEST, '-o', 'json']);
  t.equal(run.status, 1, 'exit 1: the written intent denies frontend → redis');
  const report = JSON.parse(run.stdout);
  t.same(reportSchemaErrors(report), []);
  t.same(
    report.targets.map((x: { name: string; family: string }) => `${x.name}/${x.family}`),
    ['backend (IPv4)/ipv4', 'backend (IPv6)/ipv6', 'redis (IPv4)/ipv4', 'redis (IPv6)/ipv6'],
  );
  const cells = cellsOf(run.stdout);
  t.equal(cells.length, 8);
  t.same(cells.filter((c) => c.observed !== 'allow').map(key), [], 'all allowed');
  for (const c of cells) {
    const v6 = c.family === 'ipv6';
    // The detail names the address probed: a Service address of the cell's family.
    t.match(c.detail, v6 ? /\[fd00:10:96::[0-9a-f]+\]:\d+/ : /10\.96\.\d+\.\d+:\d+/, `${key(c)} went over ${c.family}`);
  }
});

t.test('an ipBlock covering only IPv4 leaves IPv6 open, and simulate agrees cell for cell', async (t) => {
  const dir = tempDir(t, 'dualstack');
  const frontend = pod('frontend');
  // Redis admits the pod network but the frontend's address; the IPv6 side was written as "anything".
  const policy = join(dir, 'redis-ingress.yaml');
  writeFileSync(
    policy,
    [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: { name: redis-from-pods-but-frontend, namespace: data }',
      'spec:',
      '  podSelector: { matchLabels: { app: redis } }',
      '  policyTypes: [Ingress]',
      '  ingress:',
      '    - from:',
      `        - ipBlock: { cidr: 10.244.0.0/16, except: [${frontend.ips[0]}/32] }`,
      '        - ipBlock: { cidr: "::/0" }',
      '      ports: [{ port: 6379 }]',
      '',
    ].join('\n'),
  );
  const apply = lab(['apply', '--name', name, '-f', policy]);
  t.equal(apply.status, 0, apply.stderr);
  const run = lab(['test', '--name', name, '-f', TEST, '-o', 'json']);
  t.equal(run.status, 1, 'exit 1: the IPv6 cell breaks the intent');
  t.same(reportSchemaErrors(JSON.parse(run.stdout)), []);
  const observed = cellsOf(run.stdout);
  const cell = (to: string) => observed.find((c) => c.from === 'frontend' && c.to === to);
  t.match(cell('redis (IPv4)'), { family: 'ipv4', observed: 'deny', reason: 'timeout', result: 'pass' });
  t.match(cell('redis (IPv6)'), { family: 'ipv6', observed: 'allow', reason: 'pong', result: 'fail' }, 'the hole');
  t.same(observed.filter((c) => c.result === 'fail').map(key), ['frontend → redis (IPv6)'], 'the only failing cell');

  // The same pods as a kubectl dump (status.podIPs), so the model knows which addresses the ipBlocks hold.
  const dump = join(dir, 'pods.yaml');
  writeFileSync(
    dump,
    readFileSync(join(FIXTURE, 'pods.yaml'), 'utf8')
      .split(/^---$/m)
      .map((doc) => {
        const podName = /name: (\w+), namespace/.exec(doc)![1]!;
        return `${doc.trimEnd()}\nstatus: { podIPs: [${pod(podName)
          .ips.map((ip) => `{ ip: "${ip}" }`)
          .join(', ')}] }\n`;
      })
      .join('---\n'),
  );
  const simulate = spawnSync(
    requireBinary(),
    ['simulate', '--test', TEST, '-f', policy, '-f', join(FIXTURE, 'cluster.yaml'), '-f', dump, '-o', 'json'],
    { encoding: 'utf8', cwd: ROOT },
  );
  t.equal(simulate.status, 1, `simulate finds the same hole: ${simulate.stderr}`);
  const verdicts = (cells: ReportCell[]) => cells.map((c) => `${key(c)}: ${c.family} ${c.observed} ${c.result}`);
  t.same(verdicts(cellsOf(simulate.stdout)), verdicts(observed), 'lab and model agree on every cell');
});
