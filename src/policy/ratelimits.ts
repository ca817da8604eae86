// Local rate limits placed on workloads and ports: which sidecar inbound HTTP port carries which bucket.
import type { Cluster, Workload } from './cluster.ts';
import { PolicyError } from './fields.ts';
import { matches } from './labels.ts';
import type { LocalRateLimit, ParsedPolicy, RateLimitPolicy } from './spec.ts';

/** The limits of every workload's ports, and what is worth saying about them. */
export interface RateLimits {
  /** The local rate limit on a workload's inbound port; undefined where none applies. */
  at(workload: Workload, port: number): LocalRateLimit | undefined;
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

/**
 * Places each EnvoyFilter's limits: on the meshed workloads it selects (every workload of its
 * namespace without a selector; of the mesh in Istio's root namespace), on the port it names or on
 * every HTTP port (Envoy's HTTP filter only runs where the sidecar speaks HTTP). Each sidecar has a
 * bucket of its own: N replicas take N times the rate. Two limits on one port are refused.
 */
export function placeRateLimits(
  cluster: Cluster,
  policies: readonly ParsedPolicy[],
  rootNamespace: string,
  isHttp: (w: Workload, port: number) => boolean,
): RateLimits {
  const placed = new Map<string, LocalRateLimit>();
  const warnings: string[] = [];
  const filters = policies.filter((p): p is RateLimitPolicy => p.layer === 'ratelimit' && p.limits.length > 0);
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
    for (const limit of policy.limits) {
      warnings.push(...limitWarnings(limit));
      for (const w of selected.filter((s) => s.mesh)) {
        const http = w.ports.filter((p) => p.protocol === 'TCP' && isHttp(w, p.port)).map((p) => p.port);
        if (limit.port !== undefined && !http.includes(limit.port))
          warnings.push(
            `${limit.ref}: port ${limit.port} of ${w.id} is not an HTTP port (named http, http-*, http2): Envoy's HTTP filter never sees its traffic`,
          );
        for (const port of limit.port === undefined ? http : http.filter((p) => p === limit.port)) {
          const key = `${w.index}/${port}`;
          const other = placed.get(key);
          if (other)
            throw new PolicyError(
              limit.ref,
              [],
              `${w.id} port ${port} already has the local rate limit of ${other.ref}${other.source ? ` (${other.source})` : ''}: two buckets on one port are outside the supported subset`,
              limit.source,
            );
          placed.set(key, limit);
        }
      }
    }
  }
  return { at: (w, port) => placed.get(`${w.index}/${port}`), warnings };
}
