// Maps a target's host and port (a Service's DNS name, a pod or outside IP) to what policies see.
import { isAddress } from './cidr.ts';
import type { Cluster, Workload } from './cluster.ts';
import { normal } from './fqdn.ts';
import { matches, selectorFromLabels } from './labels.ts';
import type { Protocol, ServiceInput, ServicePortInput } from './types.ts';

/**
 * A workload behind a Service and the container port the Service sends the traffic to (an endpoint,
 * in Kubernetes' words; not to be confused with model/backend.ts, the way a matrix is observed).
 */
interface ServiceEndpoint {
  readonly workload: Workload;
  readonly port: number;
}

/** Where a target's traffic lands, as far as policies are concerned. */
export type TargetResolution =
  | {
      readonly kind: 'service';
      readonly service: ServiceInput;
      readonly servicePort: ServicePortInput;
      /** Workloads selected by the Service that declare the target port. */
      readonly endpoints: readonly ServiceEndpoint[];
      /** Why some or all selected workloads are not endpoints (e.g. a named targetPort they lack). */
      readonly notes: readonly string[];
    }
  | { readonly kind: 'pod'; readonly workload: Workload; readonly ip: string; readonly port: number }
  | { readonly kind: 'external'; readonly ip: string; readonly port: number }
  /** A DNS name that is no Service of the cluster: an outside destination known by name only. */
  | { readonly kind: 'name'; readonly name: string; readonly port: number }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Splits a Service host name: `svc.ns.svc.cluster.local` (any cluster domain), `svc.ns.svc`,
 * `svc.ns`, or `svc` in `defaultNamespace`. Returns undefined for other names.
 */
function parseServiceHost(host: string, defaultNamespace?: string): { name: string; namespace: string } | undefined {
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.some((l) => l === '')) return undefined;
  if (labels.length === 1) return defaultNamespace ? { name: labels[0]!, namespace: defaultNamespace } : undefined;
  if (labels.length === 2 || labels[2] === 'svc') return { name: labels[0]!, namespace: labels[1]! };
  return undefined;
}

/** The workloads a Service port sends traffic to, with the container port each receives it on. */
export function endpointsOf(
  cluster: Cluster,
  service: ServiceInput,
  sp: ServicePortInput,
): { endpoints: ServiceEndpoint[]; notes: string[] } {
  const notes: string[] = [];
  if (!service.selector || Object.keys(service.selector).length === 0) {
    return {
      endpoints: [],
      notes: [
        `service ${service.namespace}/${service.name} has no selector: its endpoints are not known from manifests`,
      ],
    };
  }
  const selector = selectorFromLabels(service.selector);
  const ns = cluster.namespaceByName.get(service.namespace);
  const endpoints: ServiceEndpoint[] = [];
  const protocol = sp.protocol ?? 'TCP';
  const target = sp.targetPort ?? sp.port;
  for (let i = ns?.first ?? 0; i < (ns?.end ?? 0); i++) {
    const w = cluster.workloads[i]!;
    if (!matches(selector, w.labels)) continue;
    if (typeof target === 'number') {
      endpoints.push({ workload: w, port: target });
      continue;
    }
    // A named targetPort resolves per pod; pods without it are not endpoints.
    const cp = w.ports.find((p) => p.name === target && p.protocol === protocol);
    if (cp) endpoints.push({ workload: w, port: cp.port });
    else notes.push(`${w.id} has no container port named "${target}" (${protocol}): not an endpoint`);
  }
  if (endpoints.length === 0 && notes.length === 0)
    notes.push(`service ${service.namespace}/${service.name} selects no known workload`);
  return { endpoints, notes };
}

/** Resolves a target host and port for `protocol`. */
export function resolveTarget(
  cluster: Cluster,
  services: readonly ServiceInput[],
  host: string,
  port: number,
  protocol: Protocol,
  defaultNamespace?: string,
): TargetResolution {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isAddress(bare)) {
    const workload = cluster.workloadByIp.get(bare);
    if (workload) return { kind: 'pod', workload, ip: bare, port };
    const service = services.find((s) => s.clusterIP === bare);
    if (!service) return { kind: 'external', ip: bare, port };
    return viaService(cluster, service, port, protocol);
  }
  const parsed = parseServiceHost(bare, defaultNamespace);
  if (!parsed || isOutsideName(cluster, bare, parsed.namespace))
    return isDnsName(bare)
      ? { kind: 'name', name: normal(bare), port }
      : { kind: 'unknown', reason: `"${host}" is not a Service name (svc.ns[.svc[.cluster.local]]) nor an IP address` };
  const service = services.find((s) => s.name === parsed.name && s.namespace === parsed.namespace);
  if (!service) return { kind: 'unknown', reason: `no Service ${parsed.namespace}/${parsed.name} in the manifests` };
  return viaService(cluster, service, port, protocol);
}

/** A host name of at least two labels (letters, digits, `-`, `_`), as a resolver would look it up. */
function isDnsName(host: string): boolean {
  return /^([a-z0-9_]([-a-z0-9_]*[a-z0-9_])?\.)+[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?\.?$/i.test(host);
}

/**
 * A two-label name (`kubernetes.io`) reads as `svc.ns`; it is an outside name when the model has no
 * namespace of its second label. A `svc.ns.svc…` name is always the cluster's.
 */
function isOutsideName(cluster: Cluster, host: string, namespace: string | undefined): boolean {
  const labels = host.replace(/\.$/, '').split('.');
  return labels.length === 2 && namespace !== undefined && !cluster.namespaceByName.has(namespace);
}

function viaService(cluster: Cluster, service: ServiceInput, port: number, protocol: Protocol): TargetResolution {
  const sp = service.ports.find((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
  if (!sp) {
    const known = service.ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ') || 'none';
    return {
      kind: 'unknown',
      reason: `service ${service.namespace}/${service.name} has no port ${port}/${protocol} (ports: ${known})`,
    };
  }
  const { endpoints, notes } = endpointsOf(cluster, service, sp);
  return { kind: 'service', service, servicePort: sp, endpoints, notes };
}
