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
    ...(sourceErrors.has(s.name) ? { error: sourceErrors.get(s.name) ?? '' } : {}),
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

// The API server names each source's own namespace and pod: the same missing permission in three
// namespaces (as src/cluster/api-error.ts words an RBAC 403 on the ephemeral-container patch).
const patchForbidden = (ns: string, pod: string) =>
  `forbidden: missing RBAC permission to patch pods/ephemeralcontainers in namespace ${ns} (prober acts only in ` +
  `its source namespaces; add ${ns} with: kubectl apply -n ${ns} -k k8s/prober/source-namespace): pods "${pod}" ` +
  `is forbidden: User "system:serviceaccount:prober:prober" cannot patch resource "pods/ephemeralcontainers" in ` +
  `API group "" in the namespace "${ns}"; or, if prober may create pods there, run with --agent=pod`;

t.test('the same 403 in each source’s own namespace is said once, the others named with theirs', async (t) => {
  const sources = [
    { name: 'apache', namespace: 'b-apacherr', pod: 'apacherr-6c9f7d-x2x4q' },
    { name: 'app', namespace: 'c-app-count', pod: 'app-count-7f8b9-k2x9f' },
    { name: 'ingress', namespace: 'a-ingress-traefik', pod: 'traefik-5d8f7-q8w2e' },
    // A different permission: not the same failure, even in a namespace of its own.
    { name: 'web', namespace: 'default', pod: 'web-1', error: 'no Ready pod matches app=web in namespace default' },
  ];
  const test: ReachabilityTest = {
    name: 'lab',
    file: 'lab.yaml',
    defaults: DEFAULTS,
    sources: sources.map((s) => ({ name: s.name, namespace: s.namespace, selector: { app: s.name }, local: false })),
    targets: [target('redis', 'redis://redis-svc.d-redis:6379'), target('app', 'http://app-count-svc.c-app-count/')],
    rules: [{ from: '*', to: '*', verdict: 'deny' }],
    expectFromPolicies: false,
  };
  const errors = new Map(sources.map((s) => [s.name, s.error ?? patchForbidden(s.namespace, s.pod)]));
  const cells = assembleMatrix({ test, observations: { results: new Map(), sourceErrors: errors, alive: new Map() } });
  const built = buildReport({
    test,
    cells,
    sources: sources.map((s) => ({
      name: s.name,
      namespace: s.namespace,
      pod: s.pod,
      error: errors.get(s.name) ?? '',
    })),
    metadata: { backend: 'cluster', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, proberVersion: '0.1.0' },
  });
  const text = renderReport(built, 'table', { color: false, table: 'wide', width: 120 });
  t.equal(text.split('missing RBAC permission').length - 1, 1, `the 403 is quoted once:\n${text}`);
  t.match(
    text,
    `sources apache, app, ingress: ${patchForbidden('b-apacherr', 'apacherr-6c9f7d-x2x4q')} (the same for app in ` +
      'namespace c-app-count, ingress in namespace a-ingress-traefik; their 6 cells could not be probed)',
  );
  t.match(text, 'source web: no Ready pod matches app=web in namespace default (its 2 cells could not be probed)');
});
