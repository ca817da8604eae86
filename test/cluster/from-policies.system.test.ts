// `prober run` with expectations from policies: the live cluster's NetworkPolicies (or the test's policy
// files) fed to the policy engine, judged against real probes. The Kubernetes API server is a fake
// (there is no cluster on these machines); the probes are the real agent through real nftables.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { clusterLab, LAB_TEST, labRunArgs } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const POLICY_DIR = join(ROOT, 'policies', 'networkpolicy');
const policyManifests = (): Json[] =>
  readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(POLICY_DIR, f), 'utf8')) as Json);

const FROM_POLICIES = LAB_TEST.replace(/ {2}expect:\n[\s\S]*$/, '  expect: fromPolicies\n');

t.test('expect: fromPolicies — the live NetworkPolicies predict the lab, and the probes agree (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  for (const policy of policyManifests()) lab.fake.addPolicy(policy);
  const run = await runProber(labRunArgs(lab, lab.testFile(FROM_POLICIES)));
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.match(report.summary, { cells: 4, checked: 3, pass: 3, unchecked: 1, error: 0, fail: 0 });
  const cell = (from: string, to: string): Json => report.cells.find((c: Json) => c.from === from && c.to === to);
  t.match(cell('apache', 'redis'), {
    rule: 'policy model',
    expected: 'deny',
    observed: 'deny',
    model: { verdict: 'deny' },
  });
  t.match(cell('apache', 'redis').model.explanation.join('\n'), /redis-from-app-count|default-deny-ingress/);
  t.match(cell('app', 'redis'), { expected: 'allow', observed: 'allow', model: { verdict: 'allow' } });
  t.match(
    cell('app', 'app'),
    { result: 'unchecked', model: { verdict: 'loopback' } },
    'a workload to itself is outside NetworkPolicy semantics',
  );
  t.equal(lab.fake.seen('list', 'networkpolicies').length, 1, 'the live policies were read');
});

t.test(
  'without the policies in the cluster the model expects Redis open, and the probe says otherwise (exit 1)',
  async (t) => {
    const lab = await clusterLab(t);
    const run = await runProber(labRunArgs(lab, lab.testFile(FROM_POLICIES)));
    t.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    const failed = report.cells.find((c: Json) => c.result === 'fail');
    t.match(failed, { from: 'apache', to: 'redis', expected: 'allow', observed: 'deny', rule: 'policy model' });
    // Nothing in the run explains it (no policy the model knows of decided the cell): no cause, not a guess.
    t.notOk(failed.cause, 'no cause without evidence');
  },
);

t.test('a fromPolicies block with files: three-way comparison against the live topology (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  const threeWay = `${LAB_TEST}  fromPolicies:\n    policies: ["${POLICY_DIR}"]\n`;
  const run = await runProber(labRunArgs(lab, lab.testFile(threeWay)));
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Json;
  t.ok(
    report.cells.every((c: Json) => c.result === 'pass' && c.model && c.rule !== 'policy model'),
    'written intent, model and observation agree',
  );
  t.equal(lab.fake.seen('list', 'networkpolicies').length, 0, 'the files are the policies: live ones are not read');
});

t.test('no RBAC to read live policies: one line naming the permission (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.deny('list', 'networkpolicies');
  const run = await runProber(['run', '-f', lab.testFile(FROM_POLICIES), '--kubeconfig', lab.fake.kubeconfig]);
  t.equal(run.code, 2);
  t.equal(run.stdout, '');
  t.match(
    run.stderr,
    /^prober: unable to read the cluster for the policy model: forbidden: missing RBAC permission to list networkpolicies\.networking\.k8s\.io cluster-wide/,
  );
  t.same(lab.fake.seen('patch', 'pods/ephemeralcontainers'), [], 'nothing was started');
});

t.test(
  'a policy file of a kind prober does not evaluate: refused (exit 2), or left out with --ignore-kind and said so',
  async (t) => {
    const lab = await clusterLab(t);
    const calico = join(tempDir(t, 'calico'), 'gnp.yaml');
    writeFileSync(
      calico,
      'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: { name: deny-all }\nspec: { selector: all() }\n',
    );
    const file = lab.testFile(`${LAB_TEST}  fromPolicies:\n    policies: ["${POLICY_DIR}", "${calico}"]\n`);
    const refused = await runProber(labRunArgs(lab, file));
    t.equal(refused.code, 2, refused.stderr);
    t.match(
      refused.stderr,
      /^prober: .*gnp\.yaml:2: kind: GlobalNetworkPolicy \(crd\.projectcalico\.org\/v1, Calico\) is a policy prober does not evaluate/,
    );
    const ignored = await runProber(
      labRunArgs(lab, file, '--ignore-kind', 'GlobalNetworkPolicy.crd.projectcalico.org'),
    );
    t.equal(ignored.code, 0, ignored.stderr);
    t.match(
      ignored.stderr,
      /warning: left out 1 GlobalNetworkPolicy\.crd\.projectcalico\.org object\(s\) as asked by --ignore-kind/,
      'the CI log says what the model does not cover',
    );
  },
);
