// What `lab up` and `lab status` print: pods, programs, Services and how to reach them by hand.

import { CLUSTER_DNS, clusterDnsPod } from './cluster-dns.ts';
import type { LabState } from './state.ts';
import { describeUnenforced } from './unenforced.ts';

/** A plain-text description of a running lab. */
export function describeLab(state: LabState): string {
  const { topology } = state;
  const lines = [
    `lab ${state.lab} (since ${state.createdAt}), node ${topology.nodeIp} ${topology.nodeIp6} in namespace ${topology.nodeNetns}`,
    '',
    `nodes: ${(topology.nodes ?? []).map((n) => `${n.name} (${n.zone ?? 'no zone'})`).join(', ') || 'none'}`,
    '',
    'pods:',
  ];
  const zoneOf = (node: string): string => topology.nodes?.find((n) => n.name === node)?.zone ?? 'no zone';
  const stopped = new Set(state.stopped ?? []);
  for (const pod of topology.pods) {
    const programs = state.programs
      .filter((p) => p.pod === pod.name && p.kind !== 'agent')
      .map((p) => `${p.container}=${p.kind}`);
    lines.push(
      `  ${pod.namespace}/${pod.name}  ${pod.ips.join(' ')}  node ${pod.node} (${zoneOf(pod.node)})  netns ${pod.netns}  ${stopped.has(`${pod.namespace}/${pod.name}`) ? '(stopped)' : programs.join(' ') || '(no program)'}`,
    );
  }
  lines.push('', 'services:');
  for (const service of topology.services) {
    const ports = service.ports.map(
      (p) =>
        `${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}→${p.endpoints.map((e) => `${e.ip}:${e.port}`).join(',') || 'no endpoints'}`,
    );
    const routing = [
      ...(service.trafficDistribution ? [`trafficDistribution ${service.trafficDistribution}`] : []),
      ...(service.internalTrafficPolicy === 'Local' ? ['internalTrafficPolicy Local'] : []),
    ];
    lines.push(
      `  ${service.dnsNames[0]}  ${service.clusterIps.join(' ')}  ${ports.join(' ')}${routing.length > 0 ? `  (${routing.join(', ')})` : ''}`,
    );
  }
  for (const extra of topology.extraHosts) lines.push(`  ${extra.name}  ${extra.ips.join(' ')}  (ingress host)`);
  const dns = topology.services.find((s) => s.clusterIp === CLUSTER_DNS.clusterIp);
  if (dns)
    lines.push(
      '',
      `cluster DNS: ${dns.namespace}/${dns.name} at ${dns.clusterIps.join(' ')} (53/UDP, 53/TCP), dnsmasq in pod ${clusterDnsPod(topology)?.name ?? '?'} (${Object.entries(CLUSTER_DNS.labels).map(([k, v]) => `${k}=${v}`)})`,
      `  pods resolve <service>.<namespace>.svc.${CLUSTER_DNS.domain} and the ingress hosts through it (A and AAAA); other names are NXDOMAIN`,
    );
  lines.push(
    '',
    `resident agents: ${state.programs.filter((p) => p.kind === 'agent').length} (one per namespace, serving plans on ${topology.lab}'s sockets)`,
  );
  lines.push('', `policies: ${state.policies.length > 0 ? state.policies.join(', ') : 'none (everything allowed)'}`);
  const left = describeUnenforced(state.unenforced);
  if (left) lines.push(`unenforced by the lab's CNI (lab apply --unenforced): ${left}`);
  if (state.snat?.length)
    lines.push(`masqueraded to the node's address (lab apply --snat): ${state.snat.join(', ')} (IPv4, to other pods)`);
  const sidecars = state.programs.filter((p) => p.kind === 'sidecar');
  if (sidecars.length > 0)
    lines.push(
      `mesh: HAProxy sidecars in ${sidecars.map((p) => p.pod).join(', ')}${state.assumeMesh ? ' (--assume-mesh)' : ''}; no mTLS, identities from pod addresses`,
    );
  const client = topology.pods[0];
  if (client)
    lines.push(
      '',
      'reach it by hand, e.g.:',
      `  sudo ip netns exec ${client.netns} curl -s http://${topology.extraHosts[0]?.name ?? topology.services[0]?.dnsNames[0] ?? client.ip}/`,
    );
  return `${lines.join('\n')}\n`;
}
