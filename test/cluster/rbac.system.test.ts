// `prober run` under the repository's own RBAC (k8s/prober/, enforced by the fake API server as the real
// authorizer does): a source outside the listed namespaces is refused with 403, and prober says which
// permission in which namespace is missing and how to add the namespace; after that step, it works.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { grantHint, KUBE_API_PERMISSIONS } from '../../src/cluster/kube-api.ts';
import { ROOT } from '../helpers/prober.ts';
import { renderKustomization } from '../k8s/manifests.ts';
import { clusterLab, LAB_TEST, labRunArgs, runLab } from './fake/lab.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const cellsOf = (report: Json, from: string): Json[] => report.cells.filter((c: Json) => c.from === from);

/** A lab test with one more source, in `namespace`, probing the same targets as apache. */
const withSource = (namespace: string): string =>
  LAB_TEST.replace('  targets:', `    batch: { namespace: ${namespace}, selector: { app: batch } }\n  targets:`) +
  '    - { from: batch, to: app, verdict: allow }\n    - { from: batch, to: redis, verdict: deny }\n';

const ROWS = [
  {
    name: 'an ephemeral agent in a namespace not in the list',
    namespace: 'e-batch',
    agent: 'ephemeral',
    verb: 'patch',
    resource: 'pods/ephemeralcontainers',
    base: 'source-namespace',
    hint: 'prober acts only in its source namespaces; add e-batch with: kubectl apply -n e-batch -k k8s/prober/source-namespace \\(see "Add a source namespace" in docs/cluster\\.md\\)',
  },
  {
    // A probe pod's first call in its namespace reads the LimitRanges its resources must fit.
    name: 'a probe pod in kube-system',
    namespace: 'kube-system',
    agent: 'pod',
    verb: 'list',
    resource: 'limitranges',
    base: 'probe-pod-namespace',
    hint: 'prober creates probe pods only where the opt-in Role prober-probe-pod is \\(creating pods runs code as any service account there\\); add it to kube-system with: kubectl apply -n kube-system -k k8s/prober/probe-pod-namespace, or keep agents ephemeral there \\(--agent=ephemeral\\)',
  },
] as const;

for (const row of ROWS) {
  t.test(
    `${row.name}: 403, and the error names ${row.verb} ${row.resource} in ${row.namespace} and how to add it (exit 2)`,
    async (t) => {
      const lab = await clusterLab(t);
      // The batch workload shares apache's network namespace: once allowed, its agent probes from there.
      lab.fake.addPod({
        namespace: row.namespace,
        name: 'batch-5d8f-q7w2e',
        labels: { app: 'batch' },
        netns: lab.pair.client,
        ip: lab.pair.clientIp,
      });
      const file = lab.testFile(withSource(row.namespace));
      const run = await runProber(labRunArgs(lab, file, `--agent=${row.agent}`));
      t.equal(run.code, 2, run.stderr);
      const report = JSON.parse(run.stdout) as Json;
      const batch = report.sources.find((s: Json) => s.name === 'batch');
      const label = row.resource;
      t.match(
        batch.error,
        new RegExp(
          `^forbidden: missing RBAC permission to ${row.verb} ${label} in namespace ${row.namespace} ` +
            `\\(${row.hint}\\): ${label.split('/')[0]}( "[^"]+")? is forbidden: User "system:serviceaccount:prober:prober" cannot ${row.verb} resource "${label}" in API group "" in the namespace "${row.namespace}"`,
        ),
      );
      const refused = lab.fake.requests.filter(
        (r) => r.verb === row.verb && r.resource === row.resource && r.namespace === row.namespace,
      );
      t.same(
        refused.map((r) => r.code),
        [403],
        'the API server refused the write, once (a 403 is not retried)',
      );
      t.ok(
        cellsOf(report, 'batch').every((c) => c.result === 'error' && c.reason === 'source'),
        'its cells are errors, not guesses',
      );
      t.ok(
        [...cellsOf(report, 'apache'), ...cellsOf(report, 'app')].every((c) => c.result === 'pass'),
        'sources in the listed namespaces still ran',
      );
      t.same(
        lab.fake.pod(row.namespace, 'batch-5d8f-q7w2e')?.spec.ephemeralContainers,
        undefined,
        'nothing was added to its pod',
      );
      t.same(lab.fake.pods(row.namespace).length, 1, 'and no pod was created there');
      t.notMatch(run.stderr, /could not delete/, 'a refused create leaves nothing to delete');

      // docs/cluster.md's step: the base the hint names, applied in that namespace. Then the same run passes.
      lab.fake.enforceRbac(
        renderKustomization(`k8s/prober/${row.base}`).objects.map(({ object }) => ({
          ...object,
          metadata: { ...object.metadata, namespace: row.namespace },
        })),
      );
      const granted = await runProber(labRunArgs(lab, file, `--agent=${row.agent}`));
      t.equal(granted.code, 0, granted.stderr);
      t.match(JSON.parse(granted.stdout).summary, { error: 0, fail: 0 });
    },
  );
}

t.test('in the listed namespaces the lab runs under the repository RBAC as it is (exit 0), reading only', async (t) => {
  const lab = await clusterLab(t);
  const run = await runLab(lab, '--agent=pod');
  t.equal(run.code, 0, run.stderr);
  const writes = lab.fake.requests.filter((r) => ['create', 'delete', 'patch'].includes(r.verb));
  t.ok(writes.length > 0);
  t.same(
    [...new Set(writes.map((r) => r.namespace))].sort(),
    ['b-apacherr', 'c-app-count'],
    'every write went to a source namespace',
  );
  t.same(
    lab.fake.requests.filter((r) => r.code === 403),
    [],
    'nothing was refused',
  );
});

t.test('the documented step that a 403 points to exists, with the command prober prints', async (t) => {
  const source = Object.values(KUBE_API_PERMISSIONS).find((p) => p.grants[0] === 'source-namespace');
  if (!source) throw new Error('no permission granted in source namespaces');
  const hint = grantHint(source, 'e-batch');
  const [, heading = '', page = ''] = /\(see "([^"]+)" in (\S+)\)/.exec(hint) ?? [];
  t.equal(page, 'docs/cluster.md', 'the hint names the page');
  const readme = readFileSync(join(ROOT, page), 'utf8');
  t.match(readme, new RegExp(`^#+ ${heading}$`, 'm'));
  t.match(readme, 'kubectl apply -n <namespace> -k k8s/prober/source-namespace');
});
