// prober's policy engine, fed the lab's manifests and each policy flavour, computes the matrix the expectations state.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { buildModel, type Model } from '../../src/policy/index.ts';
import { inputIo } from '../helpers/input-io.ts';
import { REPO } from './manifests.ts';

interface Expectations {
  spec: {
    sources: Record<string, { namespace: string; selector: Record<string, string> }>;
    targets: Record<string, { url: string }>;
    expect: { from: string; to: string; verdict: 'allow' | 'deny' }[];
  };
}

const test = parse(readFileSync(join(REPO, 'policies/expectations.yaml'), 'utf8')) as Expectations;
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379 };

/** The verdict the model gives every source/target pair of the expectations, `from→to` → verdict. */
function computedMatrix(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const [sourceName, source] of Object.entries(test.spec.sources)) {
    const workloads = model.workloads.filter(
      (w) => w.namespace === source.namespace && Object.entries(source.selector).every(([k, v]) => w.labels[k] === v),
    );
    if (workloads.length !== 1) throw new Error(`source ${sourceName} is ${workloads.length} workloads in the model`);
    for (const [targetName, target] of Object.entries(test.spec.targets)) {
      const url = new URL(target.url);
      const resolved = model.resolveTarget(
        url.hostname,
        url.port ? Number(url.port) : (DEFAULT_PORT[url.protocol] ?? 0),
      );
      if (resolved.kind !== 'service' || resolved.endpoints.length !== 1)
        throw new Error(`target ${targetName} does not resolve to one backend`);
      const [backend] = resolved.endpoints;
      const decision = model.decide({
        from: { workload: workloads[0]!.id },
        to: { workload: backend!.workload.id },
        port: backend!.port,
      });
      // Loopback cells (redis → redis) are undefined by the API; compare what the policies say.
      out.set(`${sourceName}→${targetName}`, decision.verdict === 'loopback' ? decision.computed : decision.verdict);
    }
  }
  return out;
}

const written = new Map(test.spec.expect.map((r) => [`${r.from}→${r.to}`, r.verdict as string]));

for (const flavour of ['networkpolicy', 'cilium', 'istio']) {
  t.test(`the policy model of ${flavour}/ matches expectations.yaml cell by cell`, async (t) => {
    const loaded = await loadManifests([join(REPO, 'k8s'), join(REPO, 'policies', flavour)], inputIo());
    t.same(loaded.warnings, [], 'every manifest is understood');
    t.ok(loaded.cluster.policies.length > 0, `${loaded.cluster.policies.length} policies loaded`);
    // Istio's flavour presumes the lab runs with sidecars (k8s/README.md labels the namespaces).
    const model = buildModel(loaded.cluster, { assumeMesh: flavour === 'istio' });
    const computed = computedMatrix(model);
    t.equal(computed.size, 16, 'four sources × four targets');
    for (const [cell, verdict] of written) t.equal(computed.get(cell), verdict, `${flavour}: ${cell}`);
  });
}

t.test(
  'without a policy the model opens every cell, so the expectations fail exactly where the policy matters',
  async (t) => {
    const loaded = await loadManifests([join(REPO, 'k8s')], inputIo());
    const computed = computedMatrix(buildModel(loaded.cluster, { assumeMesh: false }));
    const differing = [...written].filter(([cell, verdict]) => computed.get(cell) !== verdict).map(([cell]) => cell);
    t.same([...new Set(computed.values())], ['allow']);
    t.same(differing.sort(), ['apache→redis', 'ingress→redis', 'redis→redis']);
  },
);

t.test('istio/02-time-app-rate-limit.yaml limits the time app on its HTTP port, only with a sidecar', async (t) => {
  // The reader's rows are test/policy/envoyfilter.test.ts; this is the shipped example as policies/istio/README.md says.
  const { cluster } = await loadManifests([join(REPO, 'k8s'), join(REPO, 'policies/istio')], inputIo());
  const meshed = buildModel(cluster, { assumeMesh: true });
  t.match(meshed.localRateLimit('c-app-count/pythonapp', 5000), {
    ref: 'EnvoyFilter c-app-count/time-app-rate-limit configPatches[0]',
    source: /02-time-app-rate-limit\.yaml:\d+$/,
    position: 'first',
    maxTokens: 20,
    tokensPerFill: 10,
    fillIntervalMs: 1000,
    status: 429,
    enabled: { numerator: 100, denominator: 100 },
    enforced: { numerator: 100, denominator: 100 },
    responseHeaders: [{ name: 'x-local-rate-limit', value: 'true' }],
  });
  t.equal(meshed.localRateLimit('d-redis/redis', 6379), undefined, 'no limit where the filter does not select');
  t.same(meshed.warnings, []);
  const bare = buildModel(cluster);
  t.equal(bare.localRateLimit('c-app-count/pythonapp', 5000), undefined, 'no sidecar, no limit');
  t.match(bare.warnings.join('\n'), /time-app-rate-limit selects only workloads without an Istio sidecar/);
});
