// `prober migrate`: what v1alpha1 leaves implicit made explicit, and what has no exact v1alpha2 form refused
// at its file:line with nothing written (exit 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { cli } from '../helpers/cli-in-process.ts';
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

t.test('more than 25 peers: reported at its line, nothing written, exit 2', async (t) => {
  const peers = Array.from({ length: 26 }, (_, i) => `    - namespaces: {matchLabels: {n: "${i}"}}\n`).join('');
  const r = await migrate(
    t,
    `${ANP('ok', '  egress:\n  - action: Deny\n    to: [{namespaces: {}}]\n')}---\n${ANP('big', `  egress:\n  - action: Deny\n    to:\n${peers}`)}`,
  );
  t.equal(r.status, 2);
  t.equal(r.stdout, '', 'not even the policy that could be translated');
  t.match(
    r.stderr,
    `prober: ${r.file}:24: AdminNetworkPolicy big: spec.egress[0].to: has 26 peers; ClusterNetworkPolicy allows 25\n`,
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
