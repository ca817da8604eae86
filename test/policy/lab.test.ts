// The lab through the simulate path (predictTest): each flavour of policies/ on k8s/ predicts policies/expectations.yaml exactly.
import { join } from 'node:path';
import t from 'tap';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { decide } from '../../src/model/rules.ts';
import { buildModel, type ModelOptions } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import { inputIo } from '../helpers/input-io.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const K8S = join(ROOT, 'k8s');
const EXPECTATIONS = join(ROOT, 'policies', 'expectations.yaml');

/** Cells where the model and the written expectations differ (or the model cannot decide). */
async function mismatches(policyDirs: readonly string[], options: ModelOptions): Promise<string[]> {
  const loaded = await loadManifests([K8S, ...policyDirs], inputIo());
  const model = buildModel(loaded.cluster, options);
  const test = await loadReachabilityTest(EXPECTATIONS, inputIo());
  const predictions = predictTest(model, test);
  const out: string[] = [];
  for (const source of test.sources) {
    for (const target of test.targets) {
      const rule = decide(test.rules, source.name, target.name);
      const p = predictions.get(source.name)?.get(target.name);
      if (!rule) out.push(`${source.name} → ${target.name}: no expectation`);
      else if (p?.kind !== 'verdict') out.push(`${source.name} → ${target.name}: model cannot decide (${p?.detail})`);
      else if (p.computed !== rule.verdict)
        out.push(
          `${source.name} → ${target.name}: expected ${rule.verdict}, model ${p.computed}\n  ${p.explanation.join('\n  ')}`,
        );
    }
  }
  return out;
}

const flavours: [string, ModelOptions][] = [
  ['networkpolicy', {}],
  ['cilium', {}],
  // The manifests leave sidecar injection to the cluster's Istio install.
  ['istio', { assumeMesh: true }],
];
for (const [flavour, options] of flavours) {
  t.test(`policies/${flavour} predicts policies/expectations.yaml exactly`, async (t) => {
    t.same(await mismatches([join(ROOT, 'policies', flavour)], options), []);
  });
}
t.test('without policies the expectations do not hold (the check can fail)', async (t) => {
  const found = await mismatches([], {});
  t.ok(
    found.some((m) => m.startsWith('apache → redis: expected deny, model allow')),
    'case 2 would be allowed',
  );
});
