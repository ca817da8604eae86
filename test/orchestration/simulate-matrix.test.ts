// `prober simulate`'s workload matrix read off the bitset matrix alone (a report that prints no cell's
// detail) against the same matrix explained cell by cell: the same observation in every cell, the
// detail left out only where it is never printed, and the cells the bitsets cannot decide still explained.
import t from 'tap';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { workloadMatrix } from '../../src/orchestration/simulate-matrix.ts';
import { buildModel, type ClusterInput } from '../../src/policy/index.ts';

const workload = (name: string, extra: object = {}) => ({
  namespace: 'x',
  name,
  labels: { app: name },
  serviceAccount: 'default',
  ports: [{ name: 'http', port: 80 }],
  ...extra,
});

/** Every kind of cell: allowed, denied by a NetworkPolicy (a dropped SYN), by the mesh (a reset), undecidable. */
const CLUSTER: ClusterInput = {
  namespaces: [{ name: 'x', labels: {} }],
  workloads: [
    workload('client', { ports: [] }),
    workload('web', { mesh: true, ips: ['10.0.0.2'] }),
    workload('db', { ips: ['10.0.0.3'] }),
    workload('open', { ips: ['10.0.0.4'] }),
  ],
  policies: [
    {
      // No pod IP for client: whether its address is in the block cannot be known.
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'db-from-block', namespace: 'x' },
        spec: {
          podSelector: { matchLabels: { app: 'db' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }],
        },
      },
    },
    {
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'open-from-nobody', namespace: 'x' },
        spec: { podSelector: { matchLabels: { app: 'open' } }, policyTypes: ['Ingress'] },
      },
    },
    {
      // An ALLOW policy without rules lets nothing through the sidecar.
      manifest: {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'web-nothing', namespace: 'x' },
        spec: { selector: { matchLabels: { app: 'web' } }, action: 'ALLOW' },
      },
    },
  ],
};

async function results(everyExplanation: boolean): Promise<Map<string, ProbeResult>> {
  const { test, backend } = workloadMatrix(buildModel(CLUSTER), [], { everyExplanation });
  const run = await backend.observe(test, { signal: new AbortController().signal });
  const out = new Map<string, ProbeResult>();
  for (const source of test.sources)
    for (const target of test.targets)
      out.set(`${source.name} → ${target.name}`, run.observations.results.get(source.name)!.get(target.name)!);
  return out;
}

t.test('read off the bitsets, every cell is observed as when it is explained', async (t) => {
  const explained = await results(true);
  const bare = await results(false);
  t.same([...bare.keys()], [...explained.keys()]);
  const kinds = new Set<string>();
  for (const [cell, full] of explained) {
    const light = bare.get(cell)!;
    kinds.add(`${full.observed} (${full.reason})`);
    t.equal(`${light.observed} (${light.reason})`, `${full.observed} (${full.reason})`, `${cell}: same observation`);
    t.ok(full.detail?.startsWith('simulated: '), `${cell}: explained, it says why`);
    if (full.observed === 'error') t.equal(light.detail, full.detail, `${cell}: undecidable, still explained`);
    else t.equal(light.detail, undefined, `${cell}: decided, no explanation made`);
  }
  t.same(
    [...kinds].sort(),
    ['allow (connected)', 'deny (reset)', 'deny (timeout)', 'error (undecidable)'],
    'every kind of cell is among them',
  );
});
