// The lab's network: a "node" namespace holding a bridge, one namespace per pod on a veth, names and Service IPs.

import { join } from 'node:path';
import { quoteName } from '../model/k8s-names.ts';
import { clusterDnsPod, nodeResolvConf, podResolvConf } from './cluster-dns.ts';
import { removeIn, writeFileIn } from './confine.ts';
import { isLabNetns } from './names.ts';
import { attempt, run } from './run-command.ts';
import type { LabPod, LabService, LabTopology } from './topology-types.ts';

/** Where `ip netns exec` finds per-namespace files (bind-mounted over /etc/hosts, /etc/resolv.conf). */
export const NETNS_ETC = '/etc/netns';

/** Creates the node namespace with the bridge every pod attaches to. */
export async function createNode(topology: LabTopology): Promise<void> {
  const ns = topology.nodeNetns;
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
  await run('ip', ['-n', ns, 'addr', 'add', `${topology.nodeIp}/${topology.prefixLength}`, 'dev', 'br0']);
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
  await run('ip', ['-n', pod.netns, 'addr', 'add', `${pod.ip}/${topology.prefixLength}`, 'dev', 'eth0']);
  await run('ip', ['-n', pod.netns, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', pod.netns, 'route', 'add', 'default', 'via', topology.nodeIp]);
  await writeEtc(topology.lab, pod.netns, hostsFile(pod), podResolvConf(pod.namespace));
  await loadNft(pod.netns, serviceNat(topology.services));
}

/** /etc/netns/<netns> of one of the lab's namespaces; anything else (another lab's, a path) is refused. */
export function netnsEtc(lab: string, netns: string): string {
  if (!isLabNetns(lab, netns)) throw new Error(`${quoteName(netns)} is not a network namespace of lab ${lab}`);
  return join(NETNS_ETC, netns);
}

/** Writes /etc/netns/<ns>/{hosts,resolv.conf}, which `ip netns exec` mounts over the host's. */
async function writeEtc(lab: string, netns: string, hosts: string, resolvConf: string): Promise<void> {
  const dir = netnsEtc(lab, netns);
  await writeFileIn(NETNS_ETC, join(dir, 'hosts'), hosts);
  await writeFileIn(NETNS_ETC, join(dir, 'resolv.conf'), resolvConf);
}

/**
 * The hosts file of a pod, as kubelet writes it: localhost and the pod's own name (the node's: only
 * localhost). Services and Ingress hosts are the cluster DNS's to answer (see cluster-dns.ts).
 */
export function hostsFile(pod?: Pick<LabPod, 'ip' | 'name'>): string {
  const own = pod ? `${pod.ip} ${pod.name}\n` : '';
  return `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n${own}`;
}

/**
 * kube-proxy's job inside each pod: DNAT a Service's virtual IP and port to an endpoint, before
 * the pod's own egress filter sees the packet (as policies see pod addresses, not Service IPs).
 */
export function serviceNat(services: readonly LabService[]): string {
  const rules: string[] = [];
  for (const service of services) {
    if (service.clusterIp === 'None') continue;
    for (const port of service.ports) {
      if (port.endpoints.length === 0) continue;
      const proto = port.protocol.toLowerCase();
      const match = `ip daddr ${service.clusterIp} ${proto} dport ${port.port}`;
      if (port.endpoints.length === 1) {
        const [ep] = port.endpoints;
        rules.push(`    ${match} dnat ip to ${ep!.ip}:${ep!.port}`);
      } else {
        const map = port.endpoints.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(', ');
        rules.push(`    ${match} dnat ip to numgen random mod ${port.endpoints.length} map { ${map} }`);
      }
    }
  }
  return [
    'table ip prober_services {',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
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
