// The lab's network: a "node" namespace holding a bridge, one namespace per pod on a veth, names and Service IPs.

import { join } from 'node:path';
import { familyOf, urlHost } from '../model/family.ts';
import { quoteName } from '../model/k8s-names.ts';
import { clusterDnsPod, nodeResolvConf, podResolvConf } from './cluster-dns.ts';
import { removeIn, writeFileIn } from './confine.ts';
import { isLabNetns } from './names.ts';
import { attempt, run } from './run-command.ts';
import type { LabPod, LabTopology } from './topology-types.ts';
import { endpointsFor } from './traffic-distribution.ts';

/** Where `ip netns exec` finds per-namespace files (bind-mounted over /etc/hosts, /etc/resolv.conf, /etc/gai.conf). */
export const NETNS_ETC = '/etc/netns';

/** Creates the node namespace with the bridge every pod attaches to. */
export async function createNode(topology: LabTopology): Promise<void> {
  const ns = topology.nodeNetns;
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
  // Neighbour solicitations reach every port: no snooping state to build up before IPv6 works.
  await run('ip', ['-n', ns, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
  await run('ip', ['-n', ns, 'addr', 'add', `${topology.nodeIp}/${topology.prefixLength}`, 'dev', 'br0']);
  // `nodad`: the lab's addresses are unique by construction, and duplicate address detection would
  // keep an IPv6 address unusable ("tentative") for a second or more after it is added.
  await run('ip', ['-n', ns, 'addr', 'add', `${topology.nodeIp6}/${topology.prefixLength6}`, 'dev', 'br0', 'nodad']);
  await run('ip', ['-n', ns, 'link', 'set', 'br0', 'up']);
  // The node resolves through the lab's DNS pod only, never through the host's resolver or hosts file.
  await writeEtc(topology.lab, ns, hostsFile(), nodeResolvConf(clusterDnsPod(topology)));
}

/** Creates a pod's namespace, joins it to the bridge and writes its name resolution files. */
export async function createPod(topology: LabTopology, pod: LabPod, index: number): Promise<void> {
  const host = `veth${index}`;
  await run('ip', ['netns', 'add', pod.netns]);
  await run('ip', [
    '-n',
    topology.nodeNetns,
    'link',
    'add',
    host,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    pod.netns,
  ]);
  await run('ip', ['-n', topology.nodeNetns, 'link', 'set', host, 'master', 'br0', 'up']);
  await run('ip', ['-n', pod.netns, 'link', 'set', 'lo', 'up']);
  // Any user may bind any port in the pod, as containerd sets pods up (enable_unprivileged_ports):
  // the lab's programs run without root, and a container port such as 80 must still work. The
  // setting is the pod's network namespace's own (both families); the host keeps its own.
  await run('ip', ['netns', 'exec', pod.netns, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start']);
  for (const ip of pod.ips) {
    const prefix = familyOf(ip) === 'ipv6' ? ['nodad'] : [];
    const length = familyOf(ip) === 'ipv6' ? topology.prefixLength6 : topology.prefixLength;
    await run('ip', ['-n', pod.netns, 'addr', 'add', `${ip}/${length}`, 'dev', 'eth0', ...prefix]);
  }
  await run('ip', ['-n', pod.netns, 'link', 'set', 'eth0', 'up']);
  // Service addresses are off-link in both families: the default routes get them to the DNAT below.
  await run('ip', ['-n', pod.netns, 'route', 'add', 'default', 'via', topology.nodeIp]);
  await run('ip', ['-n', pod.netns, '-6', 'route', 'add', 'default', 'via', topology.nodeIp6]);
  await writeEtc(topology.lab, pod.netns, hostsFile(pod), podResolvConf(pod.namespace));
  await loadNft(pod.netns, serviceNat(topology, pod));
}

/** /etc/netns/<netns> of one of the lab's namespaces; anything else (another lab's, a path) is refused. */
function netnsEtc(lab: string, netns: string): string {
  if (!isLabNetns(lab, netns)) throw new Error(`${quoteName(netns)} is not a network namespace of lab ${lab}`);
  return join(NETNS_ETC, netns);
}

/**
 * The address order of RFC 6724 for the resolver (glibc's built-in table is RFC 3484's, which ranks
 * every IPv6 address, unique-local ones included, above IPv4): a dual-stack name resolves to its IPv4
 * address first, as the lab's names did before it had IPv6 and as most dual-stack clusters' clients see.
 */
const GAI_CONF = [
  '# RFC 6724 precedences: IPv4 (::ffff:0:0/96) above unique-local IPv6 (fc00::/7).',
  'precedence ::1/128 50',
  'precedence ::/0 40',
  'precedence ::ffff:0:0/96 35',
  'precedence 2002::/16 30',
  'precedence 2001::/32 5',
  'precedence fc00::/7 3',
  'precedence ::/96 1',
  'precedence fec0::/10 1',
  'precedence 3ffe::/16 1',
  '',
].join('\n');

/**
 * Writes /etc/netns/<ns>/{hosts,resolv.conf,gai.conf}, which `ip netns exec` mounts over the host's.
 * gai.conf orders what the cluster DNS answers: a dual-stack name's A record comes before its AAAA.
 */
async function writeEtc(lab: string, netns: string, hosts: string, resolvConf: string): Promise<void> {
  const dir = netnsEtc(lab, netns);
  await writeFileIn(NETNS_ETC, join(dir, 'hosts'), hosts);
  await writeFileIn(NETNS_ETC, join(dir, 'gai.conf'), GAI_CONF);
  await writeFileIn(NETNS_ETC, join(dir, 'resolv.conf'), resolvConf);
}

/**
 * The hosts file of a pod, as kubelet writes it: localhost and the pod's own name at each of its
 * addresses (the node's: only localhost). Services and Ingress hosts are the cluster DNS's to answer
 * (see cluster-dns.ts), with an A and an AAAA record each.
 */
function hostsFile(pod?: Pick<LabPod, 'ips' | 'name'>): string {
  const own = (pod?.ips ?? []).map((ip) => `${ip} ${pod?.name}\n`).join('');
  return `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n${own}`;
}

/**
 * kube-proxy's job inside each pod: DNAT a Service's virtual IP and port to an endpoint, before
 * the pod's own egress filter sees the packet (as policies see pod addresses, not Service IPs).
 * The endpoints are those kube-proxy on the pod's node would use (traffic-distribution.ts):
 * `trafficDistribution` and `internalTrafficPolicy` make the choice depend on the pod's node and
 * zone; pods in `stopped` (`namespace/name`) are not ready and never chosen. A Service with
 * `internalTrafficPolicy: Local` and no ready endpoint on the node drops the traffic.
 */
export function serviceNat(
  topology: Pick<LabTopology, 'services' | 'nodes'>,
  client?: Pick<LabPod, 'node'>,
  stopped: ReadonlySet<string> = new Set(),
): string {
  const nodes = topology.nodes ?? [];
  const zoneOf = (node: string): string | undefined => nodes.find((n) => n.name === node)?.zone;
  const rules: string[] = [];
  for (const service of topology.services) {
    if (service.clusterIp === 'None') continue;
    for (const port of service.ports) {
      if (port.endpoints.length === 0) continue;
      const proto = port.protocol.toLowerCase();
      const sliced = port.endpoints.map((ep) => {
        const zone = zoneOf(ep.node);
        return { ...ep, ...(zone ? { zone } : {}), ready: !stopped.has(`${service.namespace}/${ep.pod}`) };
      });
      // Without a client node (no topology known), every ready endpoint, as before nodes existed.
      const { mode, chosen } = client
        ? endpointsFor(sliced, service, client.node, zoneOf(client.node))
        : endpointsFor(sliced, {}, '', undefined);
      const endpoints = chosen.map((i) => sliced[i]!);
      // Each family's virtual address leads to the endpoints' addresses of the same family.
      for (const clusterIp of service.clusterIps) {
        const family = familyOf(clusterIp) === 'ipv6' ? 'ip6' : 'ip';
        const match = `${family} daddr ${clusterIp} ${proto} dport ${port.port}`;
        if (endpoints.length === 0 && mode === 'Local') {
          rules.push(`    ${match} drop`);
          continue;
        }
        const targets = endpoints.flatMap((ep) => {
          const ip = ep.ips.find((a) => familyOf(a) === familyOf(clusterIp));
          return ip ? [{ ip, port: ep.port }] : [];
        });
        if (targets.length === 0) continue;
        if (targets.length === 1) {
          const [ep] = targets;
          rules.push(`    ${match} dnat ${family} to ${urlHost(ep!.ip)}:${ep!.port}`);
        } else {
          const map = targets.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(', ');
          rules.push(`    ${match} dnat ${family} to numgen random mod ${targets.length} map { ${map} }`);
        }
      }
    }
  }
  return [
    'table inet prober_services {',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Replaces the Service DNAT of every running pod (not in `stopped`) with what its node's
 * kube-proxy would now choose: what the lab does when pods stop, as endpoints turn not ready.
 */
export async function reloadServiceNat(topology: LabTopology, stopped: ReadonlySet<string>): Promise<void> {
  for (const pod of topology.pods) {
    if (stopped.has(`${pod.namespace}/${pod.name}`)) continue;
    await loadNft(
      pod.netns,
      `table inet prober_services\ndelete table inet prober_services\n${serviceNat(topology, pod, stopped)}`,
    );
  }
}

/** Loads an nftables ruleset inside a namespace. */
export async function loadNft(netns: string, ruleset: string): Promise<void> {
  await run('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], ruleset);
}

/**
 * Deletes one of the lab's namespaces and its /etc/netns files; missing ones are fine (cleanup is
 * idempotent). A name that is not the lab's is refused before anything is touched.
 */
export async function deleteNetns(lab: string, netns: string): Promise<void> {
  const etc = netnsEtc(lab, netns);
  await attempt('ip', ['netns', 'del', netns]);
  await removeIn(NETNS_ETC, etc);
}

/** Every network namespace on the host whose name starts with `prefix`. */
export async function listNetns(prefix: string): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']).catch(() => '');
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/** PIDs of every process inside a namespace. */
export async function pidsIn(netns: string): Promise<number[]> {
  const out = await run('ip', ['netns', 'pids', netns]).catch(() => '');
  return out
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
