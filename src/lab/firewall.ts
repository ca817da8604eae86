// Compiles the policy engine's verdicts into nftables rules inside each lab pod: one source of truth.

import { familyOf } from '../model/family.ts';
import type { Decision, Model, Protocol } from '../policy/index.ts';
import { PASSTHROUGH_SOURCE } from './sidecar.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/** One pod's ruleset plus a count of what it enforces, for messages. */
export interface PodFirewall {
  readonly netns: string;
  readonly ruleset: string;
  readonly ingressIsolated: boolean;
  readonly egressIsolated: boolean;
}

const proto = (p: Protocol): string => p.toLowerCase();

/** Every (port, protocol) a pod declares: what the lab's traffic can land on. */
function portsOf(pod: LabPod): { port: number; protocol: Protocol }[] {
  const seen = new Map<string, { port: number; protocol: Protocol }>();
  for (const c of pod.containers)
    for (const p of c.ports)
      seen.set(`${p.containerPort}/${p.protocol}`, { port: p.containerPort, protocol: p.protocol });
  return [...seen.values()];
}

/**
 * The ruleset of one pod. Like most CNIs: replies to connections the pod opened pass; the node
 * (kubelet's probes, the lab's liveness checks) is always allowed; an isolated direction accepts
 * what a policy allows and drops the rest; a direction no policy isolates drops only what an admin
 * policy denies. A denied new connection is dropped (the client times out); a packet of an older
 * connection that the current policies deny is answered with a TCP reset, so a policy change also
 * ends connections opened before it (pooled clients reconnect and meet the new rules).
 * Pod-to-itself traffic is judged like any other (the engine's `computed`).
 */
function podRuleset(
  pod: LabPod,
  ingress: readonly Decision[],
  egress: readonly Decision[],
  nodeIps: readonly string[],
  meshed: boolean,
  unfiltered: readonly Protocol[],
): PodFirewall {
  const ip = (d: Decision, side: 'from' | 'to'): string => {
    const peer = d[side];
    return peer.kind === 'ip' ? peer.ip : '';
  };
  const deny = (match: string): string[] => [
    `    ${match}ct state != new meta l4proto tcp reject with tcp reset`,
    `    ${match}drop`,
  ];
  const ingressIsolated = ingress.some((d) => (d.ingress?.isolatedBy.length ?? 0) > 0);
  const egressIsolated = egress.some((d) => (d.egress?.isolatedBy.length ?? 0) > 0);
  const chain = (name: 'input' | 'output', isolated: boolean, decisions: readonly Decision[]): string[] => {
    const peerKey = name === 'input' ? 'saddr' : 'daddr';
    const lines = [
      `  chain ${name} {`,
      `    type filter hook ${name} priority 0; policy accept;`,
      '    ct direction reply accept',
      // Neighbour discovery is IPv6's ARP: without it no IPv6 packet leaves, whatever the policies say.
      '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept',
      // A protocol the CNI does not filter passes whatever the policies say (`lab apply --unenforced udp`).
      ...unfiltered.map((p) => `    meta l4proto ${proto(p)} accept`),
      `    ip ${peerKey} 127.0.0.0/8 accept`,
      `    ip6 ${peerKey} ::1 accept`,
      ...nodeIps.map((nodeIp) => `    ${familyOf(nodeIp) === 'ipv6' ? 'ip6' : 'ip'} ${peerKey} ${nodeIp} accept`),
      // The sidecar reaching its own application (Istio's inbound passthrough) is inside the pod.
      ...(meshed && name === 'output' ? [`    ip saddr ${PASSTHROUGH_SOURCE} accept`] : []),
    ];
    for (const d of decisions) {
      const side = name === 'input' ? d.ingress : d.egress;
      if (!side) continue;
      const peer = ip(d, name === 'input' ? 'from' : 'to');
      // In a meshed pod inbound TCP is redirected to the sidecar before this chain: the port the
      // policies name is the connection's original one, as a CNI sees it outside the pod.
      const dport = meshed && name === 'input' ? 'ct original proto-dst' : 'th dport';
      const match = `${familyOf(peer) === 'ipv6' ? 'ip6' : 'ip'} ${peerKey} ${peer} meta l4proto ${proto(d.protocol)} ${dport} ${d.port} `;
      // Only rules that change something are written: allows where isolated, denies where not.
      if (isolated && side.verdict === 'allow') lines.push(`    ${match}accept`);
      if (!isolated && side.verdict === 'deny') lines.push(...deny(match));
    }
    if (isolated) lines.push(...deny(''));
    lines.push('  }');
    return lines;
  };
  const ruleset = [
    'table inet prober_policy {',
    ...chain('input', ingressIsolated, ingress),
    ...chain('output', egressIsolated, egress),
    '}',
    '',
  ].join('\n');
  return { netns: pod.netns, ruleset, ingressIsolated, egressIsolated };
}

/**
 * Asks the model about every pod pair and port in each address family, and compiles the answers;
 * `unfiltered` protocols pass every chain unjudged (a CNI that does not enforce them).
 * The model must know the pods' IPs (workload `ips`), so decisions are taken between the exact
 * addresses the lab uses: an IPv4 ipBlock decides the IPv4 pair only, an IPv6 one the IPv6 pair.
 */
export function compileFirewall(
  topology: LabTopology,
  model: Model,
  meshed: ReadonlySet<string> = new Set(),
  unfiltered: readonly Protocol[] = [],
): PodFirewall[] {
  const ingressOf = new Map<string, Decision[]>(topology.pods.map((p) => [p.netns, []]));
  const egressOf = new Map<string, Decision[]>(topology.pods.map((p) => [p.netns, []]));
  for (const dst of topology.pods) {
    for (const { port, protocol } of portsOf(dst)) {
      for (const src of topology.pods) {
        for (const from of src.ips) {
          const to = dst.ips.find((ip) => familyOf(ip) === familyOf(from));
          if (to === undefined) continue;
          const decision = model.decide({ from: { ip: from }, to: { ip: to }, port, protocol });
          // Decisions name peers by IP so the rules can use them as they are.
          const withIps: Decision = { ...decision, from: { kind: 'ip', ip: from }, to: { kind: 'ip', ip: to } };
          ingressOf.get(dst.netns)!.push(withIps);
          egressOf.get(src.netns)!.push(withIps);
        }
      }
    }
  }
  const nodeIps = [topology.nodeIp, topology.nodeIp6];
  return topology.pods.map((pod) =>
    podRuleset(pod, ingressOf.get(pod.netns)!, egressOf.get(pod.netns)!, nodeIps, meshed.has(pod.netns), unfiltered),
  );
}

/** Removes the policy table (used before applying another set, and by `lab reset`). */
export const RESET_RULESET = 'table inet prober_policy\ndelete table inet prober_policy\n';
