// `prober run` with `expect: fromPolicies` reads the live ClusterNetworkPolicies (under prober's own
// RBAC) when discovery serves the kind, and judges the real probes against them. The Kubernetes API
// server is the in-process fake of test/cluster/fake/; the probes are the real agent through real
// nftables, which allow app → Redis, so a live Admin Deny of that pair is a failing cell.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { ROOT } from '../helpers/prober.ts';
import { clusterLab, LAB_TEST, labRunArgs } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const POLICY_DIR = join(ROOT, 'policies', 'networkpolicy');
const FROM_POLICIES = LAB_TEST.replace(/ {2}expect:\n[\s\S]*$/, '  expect: fromPolicies\n');

t.test(
  'a live Admin tier Deny of app → Redis is in the model: the probe that connects fails the cell (exit 1)',
  async (t) => {
    const lab = await clusterLab(t);
    for (const f of readdirSync(POLICY_DIR).filter((f) => f.endsWith('.yaml')))
      lab.fake.addPolicy(parse(readFileSync(join(POLICY_DIR, f), 'utf8')) as Json);
    lab.fake.installCrd('policy.networking.k8s.io', 'v1alpha2', 'clusternetworkpolicies');
    lab.fake.addPolicy({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'freeze-redis' },
      spec: {
        tier: 'Admin',
        priority: 1,
        subject: { namespaces: { matchLabels: { name: 'd-redis' } } },
        ingress: [{ name: 'nobody', action: 'Deny', from: [{ namespaces: {} }] }],
      },
    });
    const run = await runProber(labRunArgs(lab, lab.testFile(FROM_POLICIES)));
    t.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Json;
    const cell = report.cells.find((c: Json) => c.from === 'app' && c.to === 'redis');
    t.match(cell, { result: 'fail', rule: 'policy model', expected: 'deny', observed: 'allow' });
    t.match(cell.model.explanation.join('\n'), /denied by ClusterNetworkPolicy freeze-redis ingress\[0\] "nobody"/);
    t.same(
      lab.fake.seen('list', 'clusternetworkpolicies').map((r) => r.code),
      [200],
      'listed once, allowed by the ClusterRole prober',
    );
  },
);
