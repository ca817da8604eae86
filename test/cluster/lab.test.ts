// `prober run` end to end against the seed's lab. The Kubernetes API server is a fake (there is no cluster
// on these machines): it serves client-node over real HTTPS and runs each agent as the real `prober agent`
// in the pod's network namespace, so every cell is a real probe through real nftables filtering.

import t from 'tap';
import { clusterLab, LAB_TEST } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

t.test('the lab passes: case 1 allowed, case 2 denied, the app reaches Redis (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  const run = await runProber(['run', '-f', lab.testFile(LAB_TEST), '--kubeconfig', lab.fake.kubeconfig, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  t.same(report.summary, { cells: 4, checked: 4, pass: 4, fail: 0, error: 0, unchecked: 0 });
  console.error(JSON.stringify(report, null, 1));
});
