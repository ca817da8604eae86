// PodDisruptionBudgets over a probe pod. Its controller is its source pod (so no workload controller adopts
// it), and kube-controller-manager's disruption controller (pkg/controller/disruption/disruption.go
// getExpectedScale, getScaleController, failSafe) finds no scale for a Pod: a budget with maxUnavailable or
// a percentage minAvailable allows no disruption while the probe pod exists. prober says so, naming the
// budget; the fake computes the budgets' status as that controller does (fake/disruption.ts).

import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import t from 'tap';
import { blockedBudgets } from '../../src/cluster/pdb-check.ts';
import { until } from '../helpers/wait.ts';
import { clusterLab, LAB_TEST, labRunArgs } from './fake/lab.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const pdb = (name: string, spec: Json): V1PodDisruptionBudget =>
  ({ metadata: { name, namespace: 'web' }, spec }) as V1PodDisruptionBudget;
const LABELS = { app: 'web', 'prober.dev/run-id': 'r1' };

t.test('which budgets a probe pod leaves allowing no disruption', async (t) => {
  const rows: [string, V1PodDisruptionBudget, boolean][] = [
    ['maxUnavailable', pdb('a', { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 1 }), true],
    ['a percentage minAvailable', pdb('b', { selector: { matchLabels: { app: 'web' } }, minAvailable: '50%' }), true],
    [
      'an integer minAvailable counts pods only',
      pdb('c', { selector: { matchLabels: { app: 'web' } }, minAvailable: 1 }),
      false,
    ],
    ['another selector', pdb('d', { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 1 }), false],
    ['an empty selector selects every pod', pdb('e', { selector: {}, maxUnavailable: '10%' }), true],
    [
      'matchExpressions',
      pdb('f', {
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
        maxUnavailable: 1,
      }),
      true,
    ],
  ];
  for (const [name, budget, blocked] of rows)
    t.equal(blockedBudgets([budget], LABELS, 90).length, blocked ? 1 : 0, name);
  t.same(blockedBudgets([rows[0]![1]], LABELS, 90), [
    'PodDisruptionBudget web/a (maxUnavailable: 1) selects the probe pod: while it exists (at most 90s) the disruption controller finds no scale for its controller (a Pod has no scale subresource) and allows no disruption under web/a, so evictions and node drains there wait; a budget with an integer minAvailable is not affected, nor --agent=ephemeral',
  ]);
});

t.test('a budget with maxUnavailable allows no disruption while the probe pod lives, and prober says so', async (t) => {
  const lab = await clusterLab(t);
  lab.fake.controllers.addReplicaSet({
    namespace: 'b-apacherr',
    name: 'apacherr-6c9f7d',
    selector: { app: 'apacherr', 'pod-template-hash': '6c9f7d' },
  });
  lab.fake.addPdb({ namespace: 'b-apacherr', name: 'apache', selector: { app: 'apacherr' }, maxUnavailable: 1 });
  lab.fake.addPdb({ namespace: 'b-apacherr', name: 'apache-min', selector: { app: 'apacherr' }, minAvailable: 0 });
  const status = (name: string): Json => lab.fake.pdbs('b-apacherr').find((p) => p.metadata.name === name)?.status;
  t.match(status('apache'), { expectedPods: 1, disruptionsAllowed: 1 }, 'before: one may go');
  const prober = startProber(labRunArgs(lab, lab.testFile(LAB_TEST), '--agent=pod'));
  const during = await until(
    'the apache probe pod to exist',
    () => lab.fake.probePods().some((p) => p.metadata.namespace === 'b-apacherr') && status('apache'),
    30_000,
    5,
  );
  t.match(during, {
    disruptionsAllowed: 0,
    conditions: [{ reason: 'SyncFailed', message: 'pods does not implement the scale subresource' }],
  });
  t.match(status('apache-min'), { disruptionsAllowed: 1 }, 'an integer minAvailable is not affected');
  const exit = await prober.exited;
  t.equal(exit.code, 0, exit.stderr);
  t.match(
    exit.stderr,
    /apache: PodDisruptionBudget b-apacherr\/apache \(maxUnavailable: 1\) selects the probe pod: while it exists \(at most \d+s\)/,
  );
  t.notMatch(exit.stderr, /apache-min/);
  t.match(status('apache'), { disruptionsAllowed: 1 }, 'after: one may go again');
});
