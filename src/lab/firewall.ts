// Compiles the policy engine's verdicts into nftables rules inside each lab pod: one source of truth.

import type { Decision, Model, Protocol } from '../policy/index.ts';
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
  nodeIp: string,
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
      `    ip ${peerKey} 127.0.0.0/8 accept`,
      `    ip ${peerKey} ${nodeIp} accept`,
    ];
    for (const d of decisions) {
      const side = name === 'input' ? d.ingress : d.egress;
      if (!side) continue;
      const match = `ip ${peerKey} ${ip(d, name === 'input' ? 'from' : 'to')} meta l4proto ${proto(d.protocol)} th dport ${d.port} `;
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
 * Asks the model about every pod pair and port, and compiles the answers. The model must know the
 * pods' IPs (workload `ips`), so decisions are taken between the exact addresses the lab uses.
 */
export function compileFirewall(topology: LabTopology, model: Model): PodFirewall[] {
  const ingressOf = new Map<string, Decision[]>(topology.pods.map((p) => [p.ip, []]));
  const egressOf = new Map<string, Decision[]>(topology.pods.map((p) => [p.ip, []]));
  for (const dst of topology.pods) {
    for (const { port, protocol } of portsOf(dst)) {
      for (const src of topology.pods) {
        const decision = model.decide({ from: { ip: src.ip }, to: { ip: dst.ip }, port, protocol });
        // Decisions name peers by IP so the rules can use them as they are.
        const withIps: Decision = { ...decision, from: { kind: 'ip', ip: src.ip }, to: { kind: 'ip', ip: dst.ip } };
        ingressOf.get(dst.ip)!.push(withIps);
        egressOf.get(src.ip)!.push(withIps);
      }
    }
  }
  return topology.pods.map((pod) => podRuleset(pod, ingressOf.get(pod.ip)!, egressOf.get(pod.ip)!, topology.nodeIp));
}

/** Removes the policy table (used before applying another set, and by `lab reset`). */
export const RESET_RULESET = 'table inet prober_policy\ndelete table inet prober_policy\n';
