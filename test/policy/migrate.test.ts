// `prober migrate`: what v1alpha1 leaves implicit made explicit, and what has no exact v1alpha2 form refused
// at its file:line with nothing written (exit 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { buildModel } from '../../src/policy/index.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

const ANP = (name: string, spec: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: ${name}\n  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", team: net}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n${spec}`;
const BANP = (spec: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n${spec}`;

async function migrate(t: Test, text: string) {
  const file = join(tempDir(t, 'migrate'), 'in.yaml');
  writeFileSync(file, text);
  return { ...(await cli(['migrate', '-f', file])), file };
}

t.test('a port without protocol is TCP, a one-port range a number, Allow is Accept', async (t) => {
  const r = await migrate(
    t,
    ANP(
      'web',
      '  ingress:\n  - name: a\n    action: Allow\n    from: [{namespaces: {}}]\n    ports:\n    - portNumber: {port: 80}\n    - portRange: {start: 9000, end: 9000, protocol: UDP}\n    - portRange: {start: 1, end: 2, protocol: SCTP}\n    - namedPort: http\n',
    ),
  );
  t.equal(r.status, 0, r.stderr);
  t.same(parse(r.stdout), {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    // kubectl's record of the old object does not travel with the new one.
    metadata: { name: 'web', annotations: { team: 'net' } },
    spec: {
      tier: 'Admin',
      priority: 5,
      subject: { namespaces: {} },
      ingress: [
        {
          name: 'a',
          action: 'Accept',
          from: [{ namespaces: {} }],
          protocols: [
            { tcp: { destinationPort: { number: 80 } } },
            { udp: { destinationPort: { number: 9000 } } },
            { sctp: { destinationPort: { range: { start: 1, end: 2 } } } },
            { destinationNamedPort: 'http' },
          ],
        },
      ],
    },
  });
});

t.test('the BaselineAdminNetworkPolicy is tier Baseline, priority 0, ports absent stays every port', async (t) => {
  const r = await migrate(t, BANP('  egress:\n  - action: Deny\n    to: [{networks: [10.0.0.0/8]}]\n'));
  t.equal(r.status, 0, r.stderr);
  t.same(parse(r.stdout).spec, {
    tier: 'Baseline',
    priority: 0,
    subject: { namespaces: {} },
    egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] }],
  });
});

t.test('more than 25 peers or ports: the rule split into copies of 25, which decide alike', async (t) => {
  const dir = tempDir(t, 'migrate-split');
  // 30 namespaces with a pod each; the ANP denies egress to 27 of them on 26 ports (v1alpha1 allows 100).
  const world = Array.from(
    { length: 30 },
    (_, i) =>
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns${i}, labels: {n: "${i}"}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns${i}, labels: {app: p}}\nspec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.0.${i + 1}}\n`,
  ).join('---\n');
  writeFileSync(join(dir, 'world.yaml'), world);
  const peers = Array.from({ length: 27 }, (_, i) => `    - namespaces: {matchLabels: {n: "${i}"}}\n`).join('');
  const ports = Array.from({ length: 26 }, (_, i) => `    - portNumber: {port: ${8000 + i}}\n`).join('');
  const input = join(dir, 'anp.yaml');
  writeFileSync(
    input,
    ANP('big', `  egress:\n  - name: many\n    action: Deny\n    to:\n${peers}    ports:\n${ports}`),
  );
  const r = await cli(['migrate', '-f', input]);
  t.equal(r.status, 0, r.stderr);
  const egress = parse(r.stdout).spec.egress as { name: string; to: unknown[]; protocols: unknown[] }[];
  t.same(
    egress.map((e) => [e.name, e.to.length, e.protocols.length]),
    [
      ['many', 25, 25],
      ['many', 25, 1],
      ['many', 2, 25],
      ['many', 2, 1],
    ],
  );
  writeFileSync(join(dir, 'cnp.yaml'), r.stdout);
  const before = buildModel((await loadManifests([join(dir, 'world.yaml'), input], inputIo())).cluster);
  const after = buildModel((await loadManifests([join(dir, 'world.yaml'), join(dir, 'cnp.yaml')], inputIo())).cluster);
  const differ: string[] = [];
  for (const port of [7999, 8000, 8024, 8025, 8026]) {
    const [a, b] = [before.matrix(port, 'TCP'), after.matrix(port, 'TCP')];
    a.workloads.forEach((from, i) => {
      a.workloads.forEach((to, j) => {
        if (a.computed(i, j) !== b.computed(i, j)) differ.push(`${from.id} > ${to.id} ${port}`);
      });
    });
    t.ok(
      a.allowed < a.workloads.length * (a.workloads.length - 1) || port === 7999 || port === 8026,
      `${port} denies some`,
    );
  }
  t.same(differ, []);
});

t.test('more than 25 rules in a direction, split or not: reported at its line, nothing written, exit 2', async (t) => {
  const peers = Array.from({ length: 26 }, (_, i) => `    - namespaces: {matchLabels: {n: "${i}"}}\n`).join('');
  const rules = Array.from({ length: 24 }, () => '  - action: Deny\n    to: [{namespaces: {}}]\n').join('');
  const r = await migrate(
    t,
    `${ANP('ok', '  egress:\n  - action: Deny\n    to: [{namespaces: {}}]\n')}---\n${ANP('big', `  egress:\n  - action: Deny\n    to:\n${peers}${rules}`)}`,
  );
  t.equal(r.status, 2);
  t.equal(r.stdout, '', 'not even the policy that could be translated');
  t.match(
    r.stderr,
    `prober: ${r.file}:22: AdminNetworkPolicy big: spec.egress: has 26 rules once rules of more than 25 peers or ports are split; ClusterNetworkPolicy allows 25 per direction, and rules cannot move to another policy without changing their order\n`,
  );
});

t.test('an ANP named default and the BANP would be one ClusterNetworkPolicy: refused', async (t) => {
  const deny = '  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n';
  const r = await migrate(t, `${ANP('default', deny)}---\n${BANP(deny)}`);
  t.equal(r.status, 2);
  t.equal(r.stdout, '');
  t.match(
    r.stderr,
    `${r.file}:15: BaselineAdminNetworkPolicy default: metadata.name: the ClusterNetworkPolicy name is already taken by AdminNetworkPolicy default`,
  );
});

t.test('what the reader refuses is bad input (exit 2), named at its line', async (t) => {
  const r = await migrate(t, ANP('nodes', '  egress:\n  - action: Allow\n    to: [{nodes: {}}]\n'));
  t.equal(r.status, 2);
  t.equal(r.stdout, '');
  t.match(r.stderr, /in\.yaml:\d+: AdminNetworkPolicy nodes: spec\.egress\[0\]\.to\[0\]\.nodes: not supported/);
});

t.test('nothing to migrate is a usage error', async (t) => {
  const r = await migrate(t, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
  t.equal(r.status, 2);
  t.match(r.stderr, 'no AdminNetworkPolicy or BaselineAdminNetworkPolicy');
});

t.test('two AdminNetworkPolicies of one priority: written, with a warning at the second', async (t) => {
  const deny = '  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n';
  const r = await migrate(t, `${ANP('a', deny)}---\n${ANP('b', deny)}`);
  t.equal(r.status, 0);
  t.equal(r.stdout.split('---\n').length, 2);
  t.match(
    r.stderr,
    `prober: warning: ${r.file}:19: AdminNetworkPolicy b: spec.priority: 5 is also AdminNetworkPolicy a (${r.file}:1)'s`,
  );
});
