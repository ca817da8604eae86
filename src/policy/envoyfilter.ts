// Istio EnvoyFilter (networking.istio.io/v1alpha3), read for Envoy's HTTP local rate limit on inbound sidecars only.
import { type Fields, PolicyError } from './fields.ts';
import { selectorFromLabels } from './labels.ts';
import { readLocalRateLimit } from './local-ratelimit.ts';
import { checkPortNumber } from './parse-common.ts';
import type { LocalRateLimit, RateLimitPolicy } from './spec.ts';

const HCM = 'envoy.filters.network.http_connection_manager';
const ROUTER = 'envoy.filters.http.router';
const FILTER_NAME = 'envoy.filters.http.local_ratelimit';

/**
 * Whether a patch concerns a local rate limit: its value names Envoy's HTTP or network local_ratelimit
 * filter or its config type (an HTTP filter, a per-route `typed_per_filter_config`, a network filter).
 */
function mentionsLocalRateLimit(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes('local_ratelimit');
}

/** Where Istio puts the filter (pilot/pkg/networking/core/envoyfilter/listener_patch.go, patchHTTPFilters). */
function readPosition(operation: string, subFilter: string | undefined, patch: Fields): LocalRateLimit['position'] {
  // INSERT_FIRST ignores the subFilter; INSERT_BEFORE without one inserts at the beginning.
  if (operation === 'INSERT_FIRST' || (operation === 'INSERT_BEFORE' && subFilter === undefined)) return 'first';
  if (operation === 'INSERT_BEFORE' && subFilter === ROUTER) return 'before-router';
  if (operation === 'INSERT_BEFORE')
    patch.fail(
      `inserting before "${subFilter}" is outside the supported subset: the engine places the filter first or just before ${ROUTER}`,
      'operation',
    );
  if (operation === 'ADD' || operation === 'INSERT_AFTER')
    patch.fail(
      `${operation} puts the filter after ${ROUTER}, which Envoy refuses (the router must be the last HTTP filter); use INSERT_BEFORE`,
      'operation',
    );
  return patch.fail(
    `operation ${operation} is outside the supported subset for a local rate limit (INSERT_BEFORE and INSERT_FIRST are)`,
    'operation',
  );
}

/** `match.listener`: a port and the HTTP connection manager, optionally a subFilter (the router). */
function readListener(listener: Fields): { port?: number; subFilter?: string } {
  listener.reject('name', 'listener names are outside the supported subset (inbound listeners are matched by port)');
  listener.reject('listenerFilter', 'listener filters are outside the supported subset');
  const portNumber = listener.int('portNumber');
  const port = portNumber === undefined ? undefined : checkPortNumber(listener, 'portNumber', portNumber);
  let subFilter: string | undefined;
  const chain = listener.obj('filterChain');
  if (chain) {
    for (const key of ['name', 'sni', 'transportProtocol', 'applicationProtocols', 'destinationPort'])
      chain.reject(key, 'filter chain matches other than the filter are outside the supported subset; use portNumber');
    const filter = chain.obj('filter');
    if (filter) {
      const name = filter.reqStr('name');
      if (name !== HCM)
        filter.fail(`an HTTP filter is only ever inserted into ${HCM} (Istio patches no other network filter)`, 'name');
      const sub = filter.obj('subFilter');
      if (sub) {
        subFilter = sub.reqStr('name');
        sub.done();
      }
      filter.done();
    }
    chain.done();
  }
  listener.done();
  return { ...(port === undefined ? {} : { port }), ...(subFilter === undefined ? {} : { subFilter }) };
}

/** One configPatch that inserts the HTTP local rate limit filter; refuses every other shape with its field. */
function readPatch(cp: Fields, ref: string, source: string | undefined): LocalRateLimit {
  const applyTo = cp.reqStr('applyTo');
  if (applyTo === 'HTTP_ROUTE' || applyTo === 'VIRTUAL_HOST' || applyTo === 'ROUTE_CONFIGURATION')
    cp.fail(
      `a per-route local rate limit (${applyTo}, typed_per_filter_config) is outside the supported subset: the engine cannot place a request on Envoy's routes`,
      'applyTo',
    );
  if (applyTo === 'NETWORK_FILTER')
    cp.fail(
      'the network local_ratelimit filter (connections, not requests) is outside the supported subset',
      'applyTo',
    );
  if (applyTo !== 'HTTP_FILTER')
    cp.fail(`applyTo ${applyTo} is outside the supported subset (HTTP_FILTER is)`, 'applyTo');
  const match = cp.reqObj('match');
  const context = match.str('context') ?? 'ANY';
  if (context !== 'SIDECAR_INBOUND')
    match.fail(
      `context ${context} is outside the supported subset: only SIDECAR_INBOUND (the workload's own inbound sidecar) is read`,
      'context',
    );
  match.reject('proxy', 'matching proxy versions or metadata is outside the supported subset');
  match.reject('routeConfiguration', 'route configuration matches do not apply to an HTTP_FILTER patch');
  match.reject('cluster', 'cluster matches do not apply to an HTTP_FILTER patch');
  const listenerFields = match.obj('listener');
  const listener = listenerFields ? readListener(listenerFields) : {};
  match.done();
  const patch = cp.reqObj('patch');
  const operation = patch.reqStr('operation');
  const position = readPosition(operation, listener.subFilter, patch);
  patch.reject('filterClass', 'filterClass (Wasm filter ordering) is outside the supported subset');
  const value = patch.reqObj('value');
  const name = value.reqStr('name');
  if (name !== FILTER_NAME) value.fail(`expected the filter ${FILTER_NAME}`, 'name');
  for (const key of ['config_discovery', 'configDiscovery', 'disabled', 'is_optional', 'isOptional'])
    value.reject(key, 'only a filter with an inline typed_config is read');
  const typed = value.has('typedConfig') ? 'typedConfig' : 'typed_config';
  const config = readLocalRateLimit(value.reqObj(typed));
  value.done();
  patch.done();
  return { ref, source, ...(listener.port === undefined ? {} : { port: listener.port }), position, ...config };
}

/**
 * Reads an EnvoyFilter spec. An EnvoyFilter none of whose patches concerns a local rate limit is
 * ignored (one warning names them all: they may change traffic in ways the engine does not know); one
 * that does is read strictly, and what it cannot reproduce leaves its limit not modelled.
 */
export function readEnvoyFilter(
  spec: Fields,
  namespace: string,
  ref: string,
  source: string | undefined,
  warnings: string[],
): RateLimitPolicy {
  const ignored = { layer: 'ratelimit', ref, source, namespace, selector: null, limits: [] } as const;
  const patches = spec.raw('configPatches');
  if (!Array.isArray(patches) || !patches.some((p) => mentionsLocalRateLimit((p as { patch?: unknown })?.patch))) {
    // Said once for all of them where the limits are placed (ratelimits.ts): a cluster has many.
    spec.ignore(...spec.keys());
    return ignored;
  }
  try {
    return { ...ignored, ...readLimits(spec, ref, source) };
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    // A limit that decides no verdict must not stop simulate or lint: said, kept for the lab to refuse.
    warnings.push(`${error.message}: this local rate limit is not modelled (it decides no reachability verdict)`);
    spec.ignore(...spec.keys());
    return { ...ignored, selector: roughSelector(spec), limits: [], unmodelled: error.message };
  }
}

/** The selector and limits of an EnvoyFilter that holds a local rate limit, read strictly. */
function readLimits(
  spec: Fields,
  ref: string,
  source: string | undefined,
): Pick<RateLimitPolicy, 'selector' | 'limits'> {
  spec.reject('targetRefs', 'targetRefs (gateways, waypoints) is outside the supported subset; use workloadSelector');
  spec.reject('priority', 'ordering EnvoyFilters by priority is outside the supported subset');
  const selectorFields = spec.obj('workloadSelector');
  const labels = selectorFields?.strMap('labels') ?? {};
  selectorFields?.done();
  const selector = Object.keys(labels).length === 0 ? null : selectorFromLabels(labels);
  const limits =
    spec.objList('configPatches', (cp, index) => {
      if (!mentionsLocalRateLimit(cp.raw('patch')))
        cp.fail(
          'only local rate limit patches are read in an EnvoyFilter that holds one: move this patch to an EnvoyFilter of its own',
        );
      return readPatch(cp, `${ref} configPatches[${index}]`, source);
    }) ?? [];
  spec.done();
  return { selector, limits };
}

/**
 * The workloads an unreadable EnvoyFilter may concern, for the lab's refusal: its selector's labels
 * when they are a map of strings, else (null) every workload of its namespace.
 */
function roughSelector(spec: Fields): RateLimitPolicy['selector'] {
  const labels = (spec.raw('workloadSelector') as { labels?: unknown } | undefined)?.labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return null;
  const entries = Object.entries(labels);
  if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'string')) return null;
  return selectorFromLabels(Object.fromEntries(entries) as Record<string, string>);
}
