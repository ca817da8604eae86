// Local rate limits placed on workloads and ports: which sidecar inbound HTTP port carries which bucket.
import type { Cluster, Workload } from './cluster.ts';
import { matches } from './labels.ts';
import type { LocalRateLimit, ParsedPolicy, RateLimitPolicy } from './spec.ts';

/** A local rate limit on a workload's port that the engine cannot reproduce: whose, and why. */
export interface UnmodelledRateLimit {
  readonly ref: string;
  readonly reason: string;
}

/** The limits of every workload's ports, and what is worth saying about them. */
export interface RateLimits {
  /** The local rate limit on a workload's inbound port; undefined where none applies. */
  at(workload: Workload, port: number): LocalRateLimit | undefined;
  /** A limit on the port that is not modelled (the lab refuses to run it); undefined where none is. */
  unmodelled(workload: Workload, port: number): UnmodelledRateLimit | undefined;
  readonly warnings: readonly string[];
}

/** What a limit does not do as written, said once per limit. */
function limitWarnings(limit: LocalRateLimit): string[] {
  if (limit.enabled.numerator === 0)
    return [`${limit.ref}: filter_enabled is absent or 0 % (Envoy's default): the filter limits nothing`];
  if (limit.enforced.numerator === 0)
    return [`${limit.ref}: filter_enforced is absent or 0 % (Envoy's default): requests are counted, none is rejected`];
  return [];
}

/** Ignored EnvoyFilters named in one line, the first few by name: a mesh often has dozens. */
const IGNORED_NAMED = 5;

function ignoredWarning(refs: readonly string[]): string {
  const named = refs.slice(0, IGNORED_NAMED).join(', ');
  const more = refs.length > IGNORED_NAMED ? ` and ${refs.length - IGNORED_NAMED} more` : '';
  const what = refs.length === 1 ? 'holds' : `${refs.length} EnvoyFilters hold`;
  return `${refs.length === 1 ? `${named} ${what}` : `${what} (${named}${more})`} no local rate limit: ignored (the engine reads EnvoyFilters for local rate limits only)`;
}

/**
 * Places each EnvoyFilter's limits: on the meshed workloads it selects (every workload of its
 * namespace without a selector; of the mesh in Istio's root namespace), on the port it names or on
 * every HTTP port (Envoy's HTTP filter only runs where the sidecar speaks HTTP). Each sidecar has a
 * bucket of its own: N replicas take N times the rate. A limit the reader could not reproduce, and two
 * limits on one port, are not modelled: a warning, and a mark on the ports they would hold.
 */
export function placeRateLimits(
  cluster: Cluster,
  policies: readonly ParsedPolicy[],
  rootNamespace: string,
  isHttp: (w: Workload, port: number) => boolean,
): RateLimits {
  const placed = new Map<string, LocalRateLimit>();
  const unmodelled = new Map<string, UnmodelledRateLimit>();
  const warnings: string[] = [];
  const httpPorts = (w: Workload): number[] =>
    w.ports.filter((p) => p.protocol === 'TCP' && isHttp(w, p.port)).map((p) => p.port);
  const filters = policies.filter(
    (p): p is RateLimitPolicy => p.layer === 'ratelimit' && (p.limits.length > 0 || p.unmodelled !== undefined),
  );
  const ignored = policies.filter(
    (p) => p.layer === 'ratelimit' && p.limits.length === 0 && p.unmodelled === undefined,
  );
  if (ignored.length > 0) warnings.push(ignoredWarning(ignored.map((p) => p.ref)));
  for (const policy of filters) {
    const selected = cluster.workloads.filter(
      (w) =>
        (policy.namespace === rootNamespace || w.namespace === policy.namespace) &&
        (policy.selector === null || matches(policy.selector, w.labels)),
    );
    if (selected.length === 0) warnings.push(`${policy.ref} selects no workload: its local rate limit applies nowhere`);
    else if (!selected.some((w) => w.mesh))
      warnings.push(
        `${policy.ref} selects only workloads without an Istio sidecar (${selected.map((w) => w.id).join(', ')}): not enforced; label the namespace istio-injection=enabled or assume a mesh`,
      );
    if (policy.unmodelled !== undefined)
      for (const w of selected.filter((s) => s.mesh))
        for (const port of httpPorts(w))
          unmodelled.set(`${w.index}/${port}`, { ref: policy.ref, reason: policy.unmodelled });
    for (const limit of policy.limits) {
      warnings.push(...limitWarnings(limit));
      for (const w of selected.filter((s) => s.mesh)) {
        const http = httpPorts(w);
        if (limit.port !== undefined && !http.includes(limit.port))
          warnings.push(
            `${limit.ref}: port ${limit.port} of ${w.id} is not an HTTP port (named http, http-*, http2): Envoy's HTTP filter never sees its traffic`,
          );
        for (const port of limit.port === undefined ? http : http.filter((p) => p === limit.port)) {
          const key = `${w.index}/${port}`;
          const other = placed.get(key);
          if (other) {
            const reason = `${limit.source ? `${limit.source}: ` : ''}${limit.ref}: ${w.id} port ${port} already has the local rate limit of ${other.ref}${other.source ? ` (${other.source})` : ''}: two buckets on one port are outside the supported subset`;
            warnings.push(`${reason}; neither is modelled (they decide no reachability verdict)`);
            unmodelled.set(key, { ref: limit.ref, reason });
            continue;
          }
          placed.set(key, limit);
        }
      }
    }
  }
  return {
    at: (w, port) => (unmodelled.has(`${w.index}/${port}`) ? undefined : placed.get(`${w.index}/${port}`)),
    unmodelled: (w, port) => unmodelled.get(`${w.index}/${port}`),
    warnings,
  };
}
