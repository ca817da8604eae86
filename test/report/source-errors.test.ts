// The table says a source's failure once: sources that failed alike (the same RBAC 403) share one line
// naming them, and their cells, which only repeat that failure, are counted there instead of listed.

import t from 'tap';
import { assembleMatrix } from '../../src/model/matrix.ts';
import { buildReport } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest, type TargetSpec } from '../../src/model/test-spec.ts';
import { renderReport } from '../../src/report/render.ts';

function target(name: string, url: string): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name, address: parsed.value, liveness: 'auto' };
}

// As the API server words a missing `create pods` permission in the sources' namespace.
const FORBIDDEN =
  'forbidden: missing RBAC permission to create pods in namespace shop: pods is forbidden: User ' +
  '"system:serviceaccount:prober:prober" cannot create resource "pods" in API group "" in the namespace "shop"';
const OTHER = 'no Ready pod matches app=batch in namespace jobs';

function report() {
  const test: ReachabilityTest = {
    name: 'shop',
    file: 'shop.yaml',
    defaults: DEFAULTS,
    sources: ['cart', 'checkout', 'search', 'batch', 'web'].map((name) => ({
      name,
      namespace: 'shop',
      selector: { app: name },
      local: false,
    })),
    targets: [
      target('db', 'tcp://db.shop:5432'),
      target('cache', 'redis://cache.shop'),
      target('api', 'http://api.shop/'),
    ],
    rules: [{ from: '*', to: '*', verdict: 'allow' }],
    expectFromPolicies: false,
  };
  const sourceErrors = new Map([
    ['cart', FORBIDDEN],
    ['checkout', FORBIDDEN],
    ['search', FORBIDDEN],
    ['batch', OTHER],
  ]);
  const ok = { url: 'x', observed: 'allow' as const, reason: 'connected' as const, latencyMs: 1, attempts: 1 };
  const results = new Map([['web', new Map(test.targets.map((t) => [t.name, { ...ok, url: t.address.url }]))]]);
  const cells = assembleMatrix({ test, observations: { results, sourceErrors, alive: new Map() } });
  const sources = test.sources.map((s) => ({
    name: s.name,
    namespace: 'shop',
    ...(sourceErrors.has(s.name) ? { error: sourceErrors.get(s.name) } : {}),
  }));
  return buildReport({
    test,
    cells,
    sources,
    metadata: { backend: 'cluster', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, proberVersion: '0.1.0' },
  });
}

for (const style of ['wide', 'compact'] as const) {
  t.test(`${style}: one 403 several sources got is said once, naming them`, async (t) => {
    const text = renderReport(report(), 'table', { color: false, table: style, width: 120 });
    t.equal(text.split(FORBIDDEN).length - 1, 1, `the 403 appears once:\n${text}`);
    t.match(text, `sources cart, checkout, search: ${FORBIDDEN} (their 9 cells could not be probed)`);
    t.match(text, `source batch: ${OTHER} (its 3 cells could not be probed)`, 'another failure keeps its own line');
    t.equal(text.split(OTHER).length - 1, 1, 'said once too');
    t.match(text, /12 error/, 'the cells are still counted as errors');
  });
}

t.test('the JSON report keeps every cell and every source error', async (t) => {
  const json = JSON.parse(renderReport(report(), 'json', { color: false })) as {
    cells: { detail?: string }[];
    sources: { error?: string }[];
  };
  t.equal(json.cells.filter((c) => c.detail === FORBIDDEN).length, 9);
  t.equal(json.sources.filter((s) => s.error === FORBIDDEN).length, 3);
});
