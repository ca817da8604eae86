// The lab's mesh: an HAProxy sidecar in each meshed pod, inbound traffic captured by nftables as Istio's iptables mode does.

import { join } from 'node:path';
import { familyOf } from '../model/family.ts';
import { isHttpPortName, type LocalRateLimit } from '../policy/index.ts';
import type { ProgramSpec } from './programs/program.ts';
import { SANDBOX_NEEDS } from './sandbox.ts';
import { RBAC_DENY, type RequestAccess, requestRules } from './sidecar-http.ts';
import { RATE_LIMIT_LUA, RATE_LIMIT_SCRIPT, rateLimitRules } from './sidecar-ratelimit.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/** The first port of the sidecar's inbound listeners (Istio's own ports are 15000–15090). */
const FIRST_PROXY_PORT = 15100;

/** Where the sidecar reaches the application: Istio's inbound passthrough source address. */
export const PASSTHROUGH_SOURCE = '127.0.0.6';

/** One application port the sidecar stands in front of. */
export interface SidecarPort {
  readonly port: number;
  /** The sidecar's own listener the port is redirected to. */
  readonly proxyPort: number;
  /** HTTP ports get Envoy's HTTP filter (a 403), the others its network filter (the connection closed). */
  readonly http: boolean;
}

/**
 * Who may reach one port through the sidecar: `all`, or the source addresses allowed; and the
 * sources whose connection is closed as soon as it is accepted.
 */
export interface PortAccess {
  readonly allow: 'all' | readonly string[];
  readonly refuse: readonly string[];
  /** On an HTTP port: allowed sources whose requests the engine judges by method, path and host. */
  readonly requests?: readonly RequestAccess[];
  /** On an HTTP port: the engine's local rate limit (EnvoyFilter), a token bucket of this sidecar's own. */
  readonly rateLimit?: LocalRateLimit;
}

const OPEN: PortAccess = { allow: 'all', refuse: [] };

/** The pod's TCP container ports, each with the sidecar listener it is redirected to. */
export function sidecarPorts(topology: LabTopology, pod: LabPod): SidecarPort[] {
  const out = new Map<number, boolean>();
  for (const c of pod.containers)
    for (const p of c.ports) {
      if (p.protocol !== 'TCP') continue;
      const viaService = topology.services.some((s) =>
        s.ports.some(
          (sp) => isHttpPortName(sp.name) && sp.endpoints.some((e) => e.pod === pod.name && e.port === p.containerPort),
        ),
      );
      out.set(p.containerPort, (out.get(p.containerPort) ?? false) || viaService || isHttpPortName(p.name));
    }
  return [...out].sort(([a], [b]) => a - b).map(([port, http], i) => ({ port, http, proxyPort: FIRST_PROXY_PORT + i }));
}

/**
 * The capture rules of a meshed pod (table `prober_mesh`): traffic arriving for an application port
 * is redirected to the sidecar's listener, except from the node (Istio rewrites kubelet's probes
 * so they skip the policies). Traffic the pod sends to itself (its own address, or a Service whose
 * only endpoint it is) is redirected too, before the Service DNAT, except what the sidecar itself
 * sends from the passthrough address.
 */
export function captureRuleset(topology: LabTopology, pod: LabPod, ports: readonly SidecarPort[]): string {
  const inbound = [
    `    ip saddr ${topology.nodeIp} return`,
    `    ip6 saddr ${topology.nodeIp6} return`,
    ...ports.map((p) => `    iifname != "lo" tcp dport ${p.port} redirect to :${p.proxyPort}`),
  ];
  const self: string[] = [];
  for (const p of ports) {
    for (const ip of pod.ips) {
      const family = familyOf(ip) === 'ipv6' ? 'ip6' : 'ip';
      self.push(`    ${family} daddr ${ip} tcp dport ${p.port} redirect to :${p.proxyPort}`);
    }
    for (const service of topology.services)
      for (const sp of service.ports) {
        if (sp.protocol !== 'TCP' || sp.endpoints.length === 0) continue;
        if (!sp.endpoints.every((e) => e.pod === pod.name && e.port === p.port)) continue;
        for (const clusterIp of service.clusterIps) {
          const family = familyOf(clusterIp) === 'ipv6' ? 'ip6' : 'ip';
          self.push(`    ${family} daddr ${clusterIp} tcp dport ${sp.port} redirect to :${p.proxyPort}`);
        }
      }
  }
  const stale = ports.map((p) => `    iifname != "lo" tcp dport ${p.port} reject with tcp reset`);
  return [
    'table inet prober_mesh {',
    // A connection opened before the capture reached the application directly: reset at its next
    // packet, so the client reconnects through the sidecar (as a restarted pod's clients do).
    '  chain input {',
    '    type filter hook input priority -1; policy accept;',
    `    ip saddr ${topology.nodeIp} accept`,
    `    ip6 saddr ${topology.nodeIp6} accept`,
    ...stale,
    '  }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...inbound,
    '  }',
    '  chain output {',
    // Before the Service DNAT (-100): the first NAT rule a connection meets is the one it keeps.
    '    type nat hook output priority -101; policy accept;',
    `    ip saddr ${PASSTHROUGH_SOURCE} return`,
    ...self,
    '  }',
    '}',
    '',
  ].join('\n');
}

const acl = (allow: PortAccess['allow'], nodeIps: readonly string[]): string =>
  allow === 'all' ? 'acl allowed always_true' : `acl allowed src ${[...nodeIps, ...allow].join(' ')}`;

/**
 * The HAProxy configuration of one sidecar. A denied source meets what Envoy's RBAC filters do:
 * on a TCP port the connection is accepted and closed when its first data arrives (the network
 * filter), on an HTTP port the request is answered 403 `RBAC: access denied` (the HTTP filter).
 * A source in `refuse` (plaintext where mTLS is STRICT: no filter chain in Envoy; a denied source
 * whose own sidecar speaks first on a TCP port) is closed as soon as it is accepted. The node's addresses are always allowed (kubelet's probes).
 */
function sidecarConfig(
  topology: LabTopology,
  pod: LabPod,
  ports: readonly SidecarPort[],
  access: ReadonlyMap<number, PortAccess>,
  script: string | undefined,
): string {
  const nodeIps = [topology.nodeIp, topology.nodeIp6];
  const lines = [
    'global',
    '  maxconn 4096',
    ...(script ? [`  lua-load ${script}`] : []),
    'defaults',
    '  timeout connect 5s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout http-request 30s',
    '  timeout http-keep-alive 30s',
  ];
  for (const p of ports) {
    const { allow, refuse, requests = [], rateLimit } = access.get(p.port) ?? OPEN;
    // Envoy's filter order: the limit first (before RBAC) or just before the router (after it).
    const limit = p.http && rateLimit ? rateLimitRules(p.port, rateLimit) : [];
    const [first, last] = rateLimit?.position === 'first' ? [limit, []] : [[], limit];
    lines.push(
      `frontend inbound-${p.port}`,
      `  bind 0.0.0.0:${p.proxyPort}`,
      `  bind :::${p.proxyPort} v6only`,
      `  mode ${p.http ? 'http' : 'tcp'}`,
      `  ${acl(allow, nodeIps)}`,
    );
    if (refuse.length > 0)
      lines.push(`  acl refused src ${refuse.join(' ')}`, '  tcp-request connection reject if refused');
    if (p.http) lines.push(...first, `  ${RBAC_DENY} if !allowed`, ...requestRules(requests), ...last);
    else
      lines.push(
        // Waits for data only from denied sources: an allowed one is passed on at once (server-first protocols work).
        '  tcp-request inspect-delay 1h',
        '  tcp-request content accept if allowed',
        '  tcp-request content reject if { req.len gt 0 }',
      );
    lines.push(
      `  default_backend app-${p.port}`,
      `backend app-${p.port}`,
      `  mode ${p.http ? 'http' : 'tcp'}`,
      `  server app ${pod.ip}:${p.port} source ${PASSTHROUGH_SOURCE}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The sidecar program of a pod: HAProxy in the foreground, its config in the pod's `istio-proxy` directory. */
export function sidecarProgram(
  topology: LabTopology,
  pod: LabPod,
  dir: string,
  access: ReadonlyMap<number, PortAccess> = new Map(),
  ports: readonly SidecarPort[] = sidecarPorts(topology, pod),
): ProgramSpec {
  const config = join(dir, 'haproxy.cfg');
  const limited = ports.some((p) => p.http && access.get(p.port)?.rateLimit);
  const script = limited ? join(dir, RATE_LIMIT_SCRIPT) : undefined;
  return {
    pod: pod.name,
    container: SIDECAR_CONTAINER,
    kind: 'sidecar',
    argv: ['haproxy', '-db', '-f', config],
    env: {},
    files: [
      { path: config, content: sidecarConfig(topology, pod, ports, access, script) },
      ...(script ? [{ path: script, content: RATE_LIMIT_LUA }] : []),
    ],
    dirs: [dir],
    links: [],
    ready: ports.map((p) => `tcp://${pod.ip}:${p.proxyPort}`),
    confined: { writable: [dir] },
    needs: [{ program: 'haproxy', install: 'apt-get install haproxy' }, ...SANDBOX_NEEDS],
  };
}

/** The container name the sidecar is recorded under, as Istio's injector names it. */
const SIDECAR_CONTAINER = 'istio-proxy';
