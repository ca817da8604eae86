// `lab apply --snat`: chosen workloads' IPv4 traffic to other pods leaves through the node and is
// masqueraded to the node's address, as a CNI's masquerade or an egress gateway does: the target then
// sees the node, not the pod, and an ipBlock written for the pod's address no longer decides.

import { loadNft } from './netns.ts';
import { run } from './run-command.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/** The node's masquerade table, replaced whole each time (the first line makes the delete safe). */
const SNAT_TABLE = 'table ip prober_snat';

/** The IPv4 pod network (`10.244.0.0/16`) from the node's address and the prefix length. */
function podNetwork(topology: Pick<LabTopology, 'nodeIp' | 'prefixLength'>): string {
  const octets = topology.nodeIp.split('.').map(Number);
  const value = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - topology.prefixLength);
  const base = value - (value % size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${topology.prefixLength}`;
}

/** The lab pods of the named workloads (`namespace/name`), or the first name that is none. */
export function snatPods(topology: LabTopology, workloads: readonly string[]): LabPod[] | string {
  const pods: LabPod[] = [];
  for (const workload of workloads) {
    const found = topology.pods.filter((p) => p.workload === workload);
    if (found.length === 0)
      return `--snat ${JSON.stringify(workload)}: no workload of the lab is named so (namespace/name, as lab status lists pods' owners)`;
    pods.push(...found);
  }
  return pods;
}

/** The node's ruleset: every chosen pod's IPv4 traffic to the pod network is masqueraded. */
export function snatRuleset(topology: LabTopology, pods: readonly LabPod[]): string {
  const network = podNetwork(topology);
  return [
    `${SNAT_TABLE}`,
    `delete ${SNAT_TABLE}`,
    `${SNAT_TABLE} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...pods.map((p) => `    ip saddr ${p.ip} ip daddr ${network} masquerade`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Sends the chosen pods' IPv4 traffic to other pods through the node and masquerades it there; pods
 * chosen before and not now get their direct route back. The node forwards (its own namespace's
 * setting) and sends no ICMP redirect, which would teach a pod the direct way round the masquerade.
 */
export async function applySnat(
  topology: LabTopology,
  before: readonly LabPod[],
  now: readonly LabPod[],
): Promise<void> {
  const network = podNetwork(topology);
  const node = topology.nodeNetns;
  for (const pod of before.filter((p) => !now.some((n) => n.netns === p.netns)))
    await run('ip', [
      '-n',
      pod.netns,
      'route',
      'replace',
      network,
      'dev',
      'eth0',
      'proto',
      'kernel',
      'scope',
      'link',
      'src',
      pod.ip,
    ]);
  if (now.length > 0) {
    const set = (key: string, value: number): string => `echo ${value} > /proc/sys/net/ipv4/${key}`;
    const settings = [set('ip_forward', 1), set('conf/all/send_redirects', 0), set('conf/br0/send_redirects', 0)];
    await run('ip', ['netns', 'exec', node, 'sh', '-c', settings.join('; ')]);
  }
  await loadNft(node, now.length > 0 ? snatRuleset(topology, now) : `${SNAT_TABLE}\ndelete ${SNAT_TABLE}\n`);
  for (const pod of now)
    await run('ip', ['-n', pod.netns, 'route', 'replace', network, 'via', topology.nodeIp, 'dev', 'eth0', 'onlink']);
}
