// AuthorizationPolicy's HTTP-only fields (methods, paths, hosts): which filter a port meets, and how a request matches.
import type { Cluster, Workload } from './cluster.ts';
import { anyMatch } from './mesh-match.ts';
import { endpointsOf } from './services.ts';
import type { Match } from './sets.ts';
import type { AuthzOperation, AuthzRule } from './spec.ts';
import type { HttpCondition, HttpFields, HttpRequest, ServiceInput } from './types.ts';

/** Istio takes a port for HTTP by its name: `http`, `http2`, `http-*`, `http2-*` (the lab's sidecars read it alike). */
export const isHttpPortName = (name: string | undefined): boolean =>
  name !== undefined && /^(http|http2)(-.*)?$/.test(name);

/** Whether a workload's port is declared HTTP: the container port, or a Service port that sends to it, is so named. */
export function httpPorts(cluster: Cluster, services: readonly ServiceInput[]): (w: Workload, port: number) => boolean {
  const declared = new Set<string>();
  for (const w of cluster.workloads)
    for (const p of w.ports) if (p.protocol === 'TCP' && isHttpPortName(p.name)) declared.add(`${w.index}/${p.port}`);
  for (const s of services)
    for (const sp of s.ports) {
      if ((sp.protocol ?? 'TCP') !== 'TCP' || !isHttpPortName(sp.name)) continue;
      for (const e of endpointsOf(cluster, s, sp).endpoints) declared.add(`${e.workload.index}/${e.port}`);
    }
  return (w, port) => declared.has(`${w.index}/${port}`);
}

/**
 * How the sidecar reads a connection: Envoy's HTTP filter with a known request, its network filter
 * (`tcp`), or the HTTP filter with a request the model does not know (`open`, and why).
 */
export type L7 =
  | { readonly kind: 'request'; readonly request: HttpRequest }
  | { readonly kind: 'tcp' }
  | { readonly kind: 'open'; readonly why: string };

/**
 * The filter a connection meets. A port declared HTTP gets the HTTP filter; any other port the network
 * filter, unless the client speaks HTTP: Istio then sniffs the first bytes, which the lab's sidecars
 * do not, so the model leaves that case open rather than guess.
 */
export function l7View(http: boolean, request: HttpRequest | undefined, where: string): L7 {
  if (http && request) return { kind: 'request', request };
  if (http)
    return {
      kind: 'open',
      why: `${where} is an HTTP port: its sidecar judges each request by method, path and host, and no request is given (an http:// target gives one)`,
    };
  if (!request) return { kind: 'tcp' };
  return {
    kind: 'open',
    why: `${where} is not declared HTTP (no container or Service port named http, http-*, http2…): Istio detects the protocol from the first bytes; name the port http to decide`,
  };
}

/** `GET example:8080/path`. */
const requestText = (r: HttpRequest): string => `${r.method} ${r.host}${r.path}`;

const list = (values: readonly string[]): string => `[${values.join(', ')}]`;

/** The first HTTP field of `fields` the request fails, as `paths [/api/*]`; undefined when every field holds. */
function failedField(fields: HttpFields, r: HttpRequest): string | undefined {
  // Envoy compares the method and path as written, the host (`:authority`) ignoring case (HostMatcher).
  const host = r.host.toLowerCase();
  const checks: [keyof HttpFields, boolean][] = [
    [
      'hosts',
      !fields.hosts ||
        anyMatch(
          fields.hosts.map((h) => h.toLowerCase()),
          host,
        ),
    ],
    [
      'notHosts',
      !fields.notHosts ||
        !anyMatch(
          fields.notHosts.map((h) => h.toLowerCase()),
          host,
        ),
    ],
    ['methods', !fields.methods || anyMatch(fields.methods, r.method)],
    ['notMethods', !fields.notMethods || !anyMatch(fields.notMethods, r.method)],
    // `*` is `.+` for a path (StringMatcherWithPrefix): a request always has one.
    ['paths', !fields.paths || anyMatch(fields.paths, r.path)],
    ['notPaths', !fields.notPaths || !anyMatch(fields.notPaths, r.path)],
  ];
  const failed = checks.find(([, ok]) => !ok)?.[0];
  return failed ? `${failed} ${list(fields[failed]!)}` : undefined;
}

/** The fields as text: `methods [GET], paths [/api/*]`. */
const fieldsText = (fields: HttpFields): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k} ${list(v as string[])}`)
    .join(', ');

const portsHold = (op: AuthzOperation, port: number): boolean =>
  (!op.ports || op.ports.includes(port)) && !op.notPorts?.includes(port);

/**
 * Whether a rule's `to` holds for the traffic, with the HTTP field that decided when one did. On the
 * network filter Istio cannot express HTTP fields (pilot/pkg/security/authz/model/model.go,
 * generatePermission and rule.checkError; builder/builder.go, Builder.build): an ALLOW rule naming
 * one anywhere is skipped whole, a DENY rule is kept without them and so matches more.
 */
export function operationMatch(
  rule: AuthzRule,
  action: 'ALLOW' | 'DENY',
  port: number,
  l7: L7,
): { readonly match: Match; readonly why?: string } {
  if (rule.to === 'any') return { match: 'yes' };
  if (l7.kind === 'tcp' && action === 'ALLOW') {
    const http = rule.to.find((op) => op.http)?.http;
    if (http) return { match: 'no', why: `${rule.ref} names ${fieldsText(http)}, HTTP only: skipped on TCP` };
  }
  let maybe = false;
  let missed: string | undefined;
  for (const op of rule.to) {
    if (!portsHold(op, port)) continue;
    if (!op.http) return { match: 'yes' };
    if (l7.kind === 'tcp') return { match: 'yes', why: `${fieldsText(op.http)} dropped on TCP` };
    if (l7.kind === 'open') {
      maybe = true;
      continue;
    }
    const failed = failedField(op.http, l7.request);
    if (!failed) return { match: 'yes', why: `${fieldsText(op.http)} match ${requestText(l7.request)}` };
    missed ??= `${rule.ref}: ${failed} does not match ${requestText(l7.request)}`;
  }
  if (maybe) return { match: 'maybe' };
  return missed ? { match: 'no', why: missed } : { match: 'no' };
}

/** The HTTP conditions of a rule's operations that hold on `port` (one with no field when `to` is any). */
export function httpConditions(rule: AuthzRule, port: number): HttpCondition[] {
  if (rule.to === 'any') return [{ ref: rule.ref, fields: {} }];
  return rule.to.filter((op) => portsHold(op, port)).map((op) => ({ ref: rule.ref, fields: op.http ?? {} }));
}
