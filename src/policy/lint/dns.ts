// Lint check PL006: pods whose egress policies leave them no way to the cluster DNS (53/UDP and 53/TCP).
import type { Model } from '../model.ts';
import type { ClusterInput, Labels, Protocol } from '../types.ts';
import { type Finding, finding, nameList } from './findings.ts';
import { networkPolicies } from './selection.ts';

/** Where the cluster DNS runs: kube-dns' labels, which CoreDNS keeps. */
const DNS_NAMESPACE = 'kube-system';
const DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' };
/** Name of the DNS workload lint assumes when the manifests hold none. */
const ASSUMED_DNS_NAME = 'kube-dns-assumed';
/**
 * Its IP when every given pod has one (TEST-NET-1, never a real pod): without it, each ipBlock rule would be
 * reported as undecidable for want of the assumed pod's IP. With pods of unknown IP, it has none either.
 */
const ASSUMED_DNS_IP = '192.0.2.53';

function isDns(namespace: string, labels: Labels): boolean {
  return namespace === DNS_NAMESPACE && Object.entries(DNS_LABELS).every(([k, v]) => labels[k] === v);
}

/**
 * The input with a DNS server pod added when none is given (manifests of an application rarely include
 * kube-system), so egress rules towards DNS can be judged; `assumed` names it (undefined: none added).
 */
export function withDnsServer(input: ClusterInput): { input: ClusterInput; assumed: string | undefined } {
  if (input.workloads.some((w) => isDns(w.namespace, w.labels))) return { input, assumed: undefined };
  const dns = {
    namespace: DNS_NAMESPACE,
    name: ASSUMED_DNS_NAME,
    kind: 'Pod',
    labels: DNS_LABELS,
    ...(input.workloads.length > 0 && input.workloads.every((w) => (w.ips?.length ?? 0) > 0)
      ? { ips: [ASSUMED_DNS_IP] }
      : {}),
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' as const },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' as const },
    ],
  };
  return { input: { ...input, workloads: [...input.workloads, dns] }, assumed: `${DNS_NAMESPACE}/${ASSUMED_DNS_NAME}` };
}

const PROTOCOLS: readonly Protocol[] = ['UDP', 'TCP'];

/** PL006: workloads denied at their own egress to every DNS pod, grouped by the policies that isolate them. */
export function egressWithoutDns(model: Model, assumed: string | undefined): Finding[] {
  const { cluster } = model.engine;
  const servers = cluster.workloads.filter((w) => isDns(w.namespace, w.labels));
  if (servers.length === 0) return [];
  const groups = new Map<string, { workloads: string[]; protocols: Set<Protocol>; by: string }>();
  for (const w of cluster.workloads) {
    if (servers.includes(w)) continue;
    for (const protocol of PROTOCOLS) {
      const m = model.matrix(53, protocol);
      if (servers.some((s) => m.computed(w.index, s.index) !== 'deny')) continue;
      const decision = model.decide({ from: { workload: w.id }, to: { workload: servers[0]!.id }, port: 53, protocol });
      if (decision.deniedAt !== 'egress' || !decision.egress) continue;
      const egress = decision.egress;
      const by = egress.isolatedBy.length > 0 ? egress.isolatedBy.join(', ') : (egress.rules[0] ?? 'egress policies');
      let group = groups.get(by);
      if (!group) {
        group = { workloads: [], protocols: new Set(), by };
        groups.set(by, group);
      }
      if (!group.workloads.includes(w.id)) group.workloads.push(w.id);
      group.protocols.add(protocol);
    }
  }
  const out: Finding[] = [];
  const policies = networkPolicies(model.policies);
  for (const group of groups.values()) {
    const first = group.by.split(', ')[0]!;
    const policy = policies.find((p) => first === p.ref || first.startsWith(`${p.ref} `));
    const where = assumed
      ? `the cluster DNS (assumed: pods labelled k8s-app=kube-dns in ${DNS_NAMESPACE}, none in the manifests)`
      : `the cluster DNS (${nameList(servers.map((s) => s.id))})`;
    const protocols = [...group.protocols].map((p) => `53/${p}`).join(' and ');
    out.push(
      finding(
        'PL006',
        policy?.source,
        group.by,
        `egress of ${nameList(group.workloads)}, isolated by ${group.by}, may not reach ${where} on ${protocols}`,
        `allow egress to namespaceSelector kubernetes.io/metadata.name=${DNS_NAMESPACE}, podSelector k8s-app=kube-dns on 53/UDP and 53/TCP`,
        // Lookups mostly work over UDP; TCP is the fallback for truncated answers (large records, DNSSEC).
        group.protocols.has('UDP') ? 'error' : 'warning',
      ),
    );
  }
  return out;
}
