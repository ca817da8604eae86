// `prober migrate` on the network-policy-api v0.1.7 conformance policies: the ClusterNetworkPolicies it
// writes decide every cell as the AdminNetworkPolicies / BaselineAdminNetworkPolicy they replace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { loadManifests } from '../../../src/config/load-manifests.ts';
import { buildModel, type Model, type Protocol } from '../../../src/policy/index.ts';
import { cli } from '../../helpers/cli-in-process.ts';
import { inputIo } from '../../helpers/input-io.ts';
import { tempDir } from '../../helpers/temp.ts';
import { baseManifests, CONFORMANCE_TAG, type Policies, poke } from './anp-conformance.ts';
import { ADMIN_ROWS } from './anp-conformance-admin.ts';
import { BASELINE_ROWS } from './anp-conformance-baseline.ts';
import type { Manifest } from './manifests.ts';

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** Addresses outside the pods, for the `networks` rules (the suite's internet CIDRs and a documentation one). */
const OUTSIDE = ['1.1.1.1', '8.8.8.8', '203.0.113.7', '10.244.2.10'];

const yaml = (objects: readonly Manifest[]) => objects.map((o) => stringify(o, { nullStr: 'null' })).join('---\n');

/** Every policy set a row's subtests go through, as upstream accumulates them. */
function states(row: (typeof ADMIN_ROWS)[number]): Manifest[][] {
  const policies: Policies = new Map(row.policies().map((p) => [(p.metadata as { name: string }).name, p]));
  const out: Manifest[][] = [];
  for (const sub of row.subtests)
    for (const step of [{ change: sub.change }, ...(sub.afterwards ?? [])]) {
      step.change?.(policies);
      out.push(structuredClone([...policies.values()]));
    }
  return out;
}

/** Every cell of every port the row pokes, in each protocol, and each workload to outside addresses. */
function cells(model: Model, ports: readonly number[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const port of ports)
    for (const protocol of PROTOCOLS) {
      const m = model.matrix(port, protocol);
      m.workloads.forEach((from, i) => {
        m.workloads.forEach((to, j) => {
          out.set(`${from.id} > ${to.id} ${port}/${protocol}`, m.computed(i, j));
        });
        for (const ip of OUTSIDE)
          out.set(
            `${from.id} > ${ip} ${port}/${protocol}`,
            model.decide({ from: { workload: from.id }, to: { ip }, port, protocol }).computed,
          );
      });
    }
  return out;
}

const rows = [...ADMIN_ROWS, ...BASELINE_ROWS].filter((r) => !r.refused);

t.test(`migrate covers every v0.1.7 conformance test prober reads (${CONFORMANCE_TAG})`, (t) => {
  // 24 tests, of which the two with egress `nodes` peers are refused by the reader (and so by migrate).
  t.equal(rows.length, 22);
  t.end();
});

for (const row of rows) {
  t.test(`${row.shortName}: migrated policies decide as the originals`, async (t) => {
    const dir = tempDir(t, 'anp-migrate');
    const ports = [
      ...new Set(
        row.subtests
          .flatMap((s) => [...s.pokes, ...(s.afterwards ?? []).flatMap((a) => a.pokes)])
          .map((p) => poke(p).port),
      ),
    ];
    let n = 0;
    for (const policies of states(row)) {
      n++;
      const admin = (p: Manifest) => p.kind === 'AdminNetworkPolicy' || p.kind === 'BaselineAdminNetworkPolicy';
      // Namespace relabels and NetworkPolicies stay as they are: migrate writes only the translated policies.
      const others = policies.filter((p) => !admin(p));
      const namespaces = others.filter((p) => p.kind === 'Namespace');
      const base = baseManifests().filter(
        (m) =>
          !namespaces.some(
            (o) =>
              m.kind === 'Namespace' && (o.metadata as { name: string }).name === (m.metadata as { name: string }).name,
          ),
      );
      const input = join(dir, `anp-${n}.yaml`);
      writeFileSync(input, yaml(policies.filter(admin)));
      const migrated = await cli(['migrate', '-f', input]);
      t.equal(migrated.status, 0, `step ${n}: ${migrated.stderr}`);
      t.notMatch(migrated.stdout, /AdminNetworkPolicy|Allow|ports:/, 'nothing of v1alpha1 is left');
      const world = join(dir, `base-${n}.yaml`);
      writeFileSync(world, yaml([...base, ...others]));
      const output = join(dir, `cnp-${n}.yaml`);
      writeFileSync(output, migrated.stdout);
      const before = buildModel((await loadManifests([world, input], inputIo())).cluster);
      const after = buildModel((await loadManifests([world, output], inputIo())).cluster);
      const a = cells(before, ports);
      const b = cells(after, ports);
      const differ = [...a].filter(([k, v]) => b.get(k) !== v).map(([k, v]) => `${k}: ${v} → ${b.get(k)}`);
      t.same(differ, [], `step ${n}: ${a.size} cells equal`);
      t.ok(a.size > 0 && a.size === b.size);
    }
  });
}
