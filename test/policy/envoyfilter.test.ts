// EnvoyFilter read for Envoy's HTTP local rate limit, row by row after the upstream behaviour it mirrors.
// Upstream: envoyproxy/envoy api/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto (fields,
// defaults: filter_enabled/filter_enforced 0 %, status < 400 → 429), source/extensions/filters/http/local_ratelimit/
// local_ratelimit.cc (FilterConfig: enabled() false without filter_enabled; the local reply), source/extensions/
// filters/common/local_ratelimit/local_ratelimit_impl.cc (fill_interval ≥ 50 ms); istio/istio pilot/pkg/networking/
// core/envoyfilter/listener_patch.go (patchHTTPFilters: INSERT_BEFORE without a subFilter inserts first; portNumber of
// the virtual inbound listener matches the filter chain's destination port) and Istio's EnvoyFilter reference
// (workloadSelector, context SIDECAR_INBOUND, the local rate limit task's TypedStruct form).
import t from 'tap';
import { buildModel, type LocalRateLimit, type Model, parsePolicy } from '../../src/policy/index.ts';
import { docs, indent } from './harness.ts';

/** `text` with every line indented by `n` spaces. */
const pad = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

const ef = (spec: string, name = 'limit', ns = 'x'): string =>
  `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;

const CONFIG = `'@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
stat_prefix: http_local_rate_limiter
token_bucket: {max_tokens: 20, tokens_per_fill: 10, fill_interval: 1s}
filter_enabled: {runtime_key: e, default_value: {numerator: 100, denominator: HUNDRED}}
filter_enforced: {runtime_key: f, default_value: {numerator: 100, denominator: HUNDRED}}`;

/** One HTTP_FILTER patch; `listener`, `operation` and `config` (the typed_config) vary by row. */
function patch(o: { selector?: string; listener?: string; operation?: string; config?: string; applyTo?: string }) {
  return `${o.selector ?? 'workloadSelector: {labels: {app: web}}'}
configPatches:
- applyTo: ${o.applyTo ?? 'HTTP_FILTER'}
  match:
    context: SIDECAR_INBOUND
    listener:
${pad(o.listener ?? 'filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}', 6)}
  patch:
    operation: ${o.operation ?? 'INSERT_BEFORE'}
    value:
      name: envoy.filters.http.local_ratelimit
      typed_config:
${pad(o.config ?? CONFIG, 8)}`;
}

/** x/web serves 8080 (`http`), 9090 (`http-alt`) and 6379 (`tcp-redis`); y/web the same; x/bare is not meshed. */
function model(policies: string): Model {
  const ports = [
    { port: 8080, name: 'http' },
    { port: 9090, name: 'http-alt' },
    { port: 6379, name: 'tcp-redis' },
  ];
  return buildModel({
    namespaces: [{ name: 'x', labels: { 'istio-injection': 'enabled' } }, { name: 'y' }, { name: 'istio-system' }],
    workloads: [
      { namespace: 'x', name: 'web', labels: { app: 'web' }, ports, ips: ['10.0.1.1'] },
      { namespace: 'x', name: 'other', labels: { app: 'other' }, ports, ips: ['10.0.1.2'] },
      { namespace: 'y', name: 'web', labels: { app: 'web' }, ports, ips: ['10.0.2.1'] },
    ],
    policies: docs(policies),
  });
}

const LIMIT: Omit<LocalRateLimit, 'ref' | 'source'> = {
  position: 'first',
  maxTokens: 20,
  tokensPerFill: 10,
  fillIntervalMs: 1000,
  status: 429,
  enabled: { numerator: 100, denominator: 100 },
  enforced: { numerator: 100, denominator: 100 },
  responseHeaders: [],
};

const rows: { name: string; yaml: string; at: [string, number, Partial<LocalRateLimit> | undefined][] }[] = [
  {
    name: 'no portNumber: every HTTP port of the selected workload, none of its TCP ports (patchHTTPFilters runs in HCMs only)',
    yaml: ef(patch({ listener: 'filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}' })),
    at: [
      ['x/web', 8080, LIMIT],
      ['x/web', 9090, LIMIT],
      ['x/web', 6379, undefined],
      ['x/other', 8080, undefined],
      ['y/web', 8080, undefined],
    ],
  },
  {
    name: 'portNumber: the filter chain of that destination port only (filterChainMatch on the virtual inbound listener)',
    yaml: ef(patch({ listener: 'portNumber: 9090' })),
    at: [
      ['x/web', 8080, undefined],
      ['x/web', 9090, LIMIT],
    ],
  },
  {
    name: 'no workloadSelector: every workload of the namespace',
    yaml: ef(patch({ selector: '' })),
    at: [
      ['x/other', 8080, LIMIT],
      ['y/web', 8080, undefined],
    ],
  },
  {
    name: 'in the root namespace: workloads of every namespace that have a sidecar',
    yaml: ef(patch({}), 'limit', 'istio-system'),
    at: [
      ['x/web', 8080, LIMIT],
      ['y/web', 8080, undefined],
    ],
  },
  {
    name: 'INSERT_BEFORE the router: after Istio RBAC filter; INSERT_FIRST ignores the subFilter',
    yaml:
      ef(
        patch({
          listener:
            'filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}',
        }),
      ) + ef(patch({ selector: 'workloadSelector: {labels: {app: other}}', operation: 'INSERT_FIRST' }), 'first'),
    at: [
      ['x/web', 8080, { position: 'before-router' }],
      ['x/other', 8080, { position: 'first' }],
    ],
  },
  {
    name: "Envoy's defaults: tokens_per_fill 1, filter_enabled and filter_enforced 0 %, status 429",
    yaml: ef(
      patch({
        config:
          "'@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\nstat_prefix: s\ntoken_bucket: {max_tokens: 5, fill_interval: 0.5s}",
      }),
    ),
    at: [
      [
        'x/web',
        8080,
        {
          maxTokens: 5,
          tokensPerFill: 1,
          fillIntervalMs: 500,
          status: 429,
          enabled: { numerator: 0, denominator: 100 },
          enforced: { numerator: 0, denominator: 100 },
        },
      ],
    ],
  },
  {
    name: "Istio task's TypedStruct, camelCase names, wrappers, a Duration object, a status below 400 read as 429",
    yaml: ef(
      patch({
        config: `'@type': type.googleapis.com/udpa.type.v1.TypedStruct
type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
value:
  statPrefix: s
  status: {code: 302}
  tokenBucket: {maxTokens: 4, tokensPerFill: {value: 4}, fillInterval: {seconds: 60}}
  filterEnabled: {runtimeKey: e, defaultValue: {numerator: 50, denominator: TEN_THOUSAND}}
  filterEnforced: {runtimeKey: f, defaultValue: {numerator: 200}}
  responseHeadersToAdd: [{append: false, header: {key: X-Local-Rate-Limit, value: "true"}}]`,
      }),
    ),
    at: [
      [
        'x/web',
        8080,
        {
          maxTokens: 4,
          tokensPerFill: 4,
          fillIntervalMs: 60_000,
          status: 429,
          enabled: { numerator: 50, denominator: 10_000 },
          enforced: { numerator: 100, denominator: 100 },
          responseHeaders: [{ name: 'x-local-rate-limit', value: 'true' }],
        },
      ],
    ],
  },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const m = model(row.yaml);
    for (const [workload, port, want] of row.at) {
      const got = m.localRateLimit(workload, port);
      if (want === undefined) t.equal(got, undefined, `${workload}:${port} has none`);
      else t.match(got, want, `${workload}:${port}`);
    }
  });
}

t.test(
  'warnings: a filter that limits nothing, a port that is not HTTP, an EnvoyFilter that is no rate limit',
  async (t) => {
    const m = model(
      ef(
        patch({
          config:
            "'@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\nstat_prefix: s\ntoken_bucket: {max_tokens: 5, fill_interval: 1s}",
        }),
      ) +
        ef(patch({ selector: 'workloadSelector: {labels: {app: other}}', listener: 'portNumber: 6379' }), 'tcp') +
        ef(
          'configPatches:\n- applyTo: HTTP_FILTER\n  patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}',
          'lua',
        ),
    );
    t.match(m.warnings.join('\n'), /limit configPatches\[0\]: filter_enabled is absent or 0 %/);
    t.match(m.warnings.join('\n'), /port 6379 of x\/other is not an HTTP port/);
    t.match(m.warnings.join('\n'), /EnvoyFilter x\/lua holds no local rate limit: ignored/);
    t.equal(m.localRateLimit('x/other', 6379), undefined);
  },
);

t.test('EnvoyFilters that are no rate limit are named in one warning, the first five by name', async (t) => {
  const lua =
    'configPatches:\n- applyTo: HTTP_FILTER\n  patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}';
  const m = model(Array.from({ length: 7 }, (_, i) => ef(lua, `lua-${i}`)).join(''));
  const lines = m.warnings.filter((w) => w.includes('no local rate limit'));
  t.same(lines, [
    '7 EnvoyFilters hold (EnvoyFilter x/lua-0, EnvoyFilter x/lua-1, EnvoyFilter x/lua-2, EnvoyFilter x/lua-3, EnvoyFilter x/lua-4 and 2 more) no local rate limit: ignored (the engine reads EnvoyFilters for local rate limits only)',
  ]);
});

const refused: [string, string, RegExp][] = [
  ['descriptors', patch({ config: `${CONFIG}\ndescriptors: []` }), /typed_config\.descriptors: not supported/],
  [
    'a per-route config',
    patch({ applyTo: 'HTTP_ROUTE' }),
    /configPatches\[0\]\.applyTo: a per-route local rate limit \(HTTP_ROUTE/,
  ],
  ['the network filter', patch({ applyTo: 'NETWORK_FILTER' }), /applyTo: the network local_ratelimit filter/],
  [
    'no token bucket',
    patch({ config: CONFIG.replace(/token_bucket.*\n/, '') }),
    /typed_config\.token_bucket: is required/,
  ],
  [
    'a fill interval under 50 ms',
    patch({ config: CONFIG.replace('1s', '0.02s') }),
    /token_bucket\.fill_interval: must be at least 50ms/,
  ],
  [
    'a Duration in ms',
    patch({ config: CONFIG.replace('1s', '100ms') }),
    /fill_interval: "100ms" is not a protobuf Duration/,
  ],
  ['max_tokens 0', patch({ config: CONFIG.replace('max_tokens: 20', 'max_tokens: 0') }), /max_tokens: must be greater/],
  ['ADD after the router', patch({ operation: 'ADD' }), /patch\.operation: ADD puts the filter after/],
  [
    'before another filter',
    patch({
      listener:
        'filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.rbac}}}',
    }),
    /patch\.operation: inserting before "envoy\.filters\.http\.rbac"/,
  ],
  [
    'a per-connection bucket',
    patch({ config: `${CONFIG}\nlocal_rate_limit_per_downstream_connection: true` }),
    /local_rate_limit_per_downstream_connection: a bucket per connection/,
  ],
  [
    'a formatter in a header',
    patch({ config: `${CONFIG}\nresponse_headers_to_add: [{header: {key: x-at, value: "%START_TIME%"}}]` }),
    /response_headers_to_add\[0\]\.header\.value: formatters/,
  ],
  ['an unknown field', patch({ config: `${CONFIG}\nbucket: 1` }), /typed_config\.bucket: unsupported field/],
  [
    'another patch beside the limit',
    `${patch({})}\n- applyTo: HTTP_FILTER\n  patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}`,
    /configPatches\[1\]: only local rate limit patches are read/,
  ],
  [
    'the outbound context',
    patch({}).replace('SIDECAR_INBOUND', 'SIDECAR_OUTBOUND'),
    /match\.context: context SIDECAR_OUTBOUND is outside/,
  ],
  ['a priority', `priority: 10\n${patch({})}`, /spec\.priority: not supported/],
];

t.test('not modelled, naming the field: a warning for the verdicts, a mark the lab refuses', async (t) => {
  for (const [name, spec, error] of refused) {
    const read = parsePolicy({ manifest: docs(ef(spec))[0]!.manifest, source: 'f.yaml:3' });
    t.match(read.policy, { layer: 'ratelimit', limits: [], unmodelled: error }, `${name}: why, kept for the lab`);
    t.match(read.warnings.join('\n'), error, `${name}: said`);
    t.match(
      read.warnings.join('\n'),
      /f\.yaml:3: EnvoyFilter x\/limit: .*not modelled \(it decides no reachability verdict\)/,
    );
    const m = model(ef(spec));
    t.match(m.unmodelledRateLimit('x/web', 8080), { ref: 'EnvoyFilter x/limit', reason: error }, `${name}: marked`);
    t.equal(m.localRateLimit('x/web', 8080), undefined, `${name}: no bucket`);
    t.equal(m.unmodelledRateLimit('x/other', 8080), undefined, `${name}: on the selected workload only`);
  }
});

t.test('an unreadable selector marks every meshed workload of the namespace', async (t) => {
  const m = model(ef(patch({ selector: 'workloadSelector: {labels: {app: [web]}}' })));
  t.ok(m.unmodelledRateLimit('x/web', 8080));
  t.ok(m.unmodelledRateLimit('x/other', 9090));
  t.equal(m.unmodelledRateLimit('x/other', 6379), undefined, 'not on a port that is not HTTP');
  t.equal(m.unmodelledRateLimit('y/web', 8080), undefined, 'not in another namespace');
});

t.test('two limits on one port are not modelled, naming both; their other ports keep theirs', async (t) => {
  const m = model(ef(patch({})) + ef(patch({ listener: 'portNumber: 8080' }), 'again'));
  const both =
    /EnvoyFilter x\/again configPatches\[0\]: x\/web port 8080 already has the local rate limit of EnvoyFilter x\/limit configPatches\[0\]/;
  t.match(m.warnings.join('\n'), both);
  t.match(m.unmodelledRateLimit('x/web', 8080), { reason: both });
  t.equal(m.localRateLimit('x/web', 8080), undefined);
  t.match(m.localRateLimit('x/web', 9090), { ref: 'EnvoyFilter x/limit configPatches[0]' });
});
