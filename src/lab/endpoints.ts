// Where a target URL lands in the lab: the pod addresses behind a Service name, an Ingress host or a pod IP.

import { type IpFamily, ipOf } from '../model/family.ts';
import { schemeOf } from '../model/schemes.ts';
import { hostPort, type TargetAddress } from '../model/target.ts';
import { clusterDnsPod } from './cluster-dns.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/** An endpoint of a target: the pod and the container port the traffic reaches. */
export interface LabEndpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * The endpoints of a target as the lab routes it, at their addresses of `family` (default IPv4);
 * empty when the lab knows no such name or port, or the endpoints have no address of that family.
 */
export function endpointsOf(topology: LabTopology, address: TargetAddress, family: IpFamily = 'ipv4'): LabEndpoint[] {
  // A name is answered by the cluster DNS: its pod is the endpoint a `dns://` target lands on, at the
  // IPv4 address pods' resolv.conf names whatever record the target asks for.
  if (schemeOf(address.scheme).reaches === 'resolver') {
    const dns = clusterDnsPod(topology);
    return dns ? [{ ip: dns.ip, port: 53 }] : [];
  }
  const host = address.host.replace(/\.$/, '');
  const headless = topology.services.find((s) => s.clusterIp === 'None' && s.dnsNames.includes(host));
  // A headless name is its pods: the target's port is theirs, no Service port in between.
  if (headless) {
    const pods = headless.ports.flatMap((p) => p.endpoints.map((e) => ipOf(e.ips, family) ?? ''));
    return [...new Set(pods)].filter((ip) => ip !== '').map((ip) => ({ ip, port: address.port }));
  }
  const clusterIp =
    topology.services.find((s) => s.dnsNames.includes(host) || s.clusterIps.includes(host))?.clusterIp ??
    topology.extraHosts.find((h) => h.name === host)?.ip;
  const at = (ips: readonly string[], port: number): LabEndpoint[] => {
    const ip = ipOf(ips, family);
    return ip ? [{ ip, port }] : [];
  };
  if (clusterIp) {
    const service = topology.services.find((s) => s.clusterIp === clusterIp);
    // A target lands on the Service's port of that number for its scheme's transport (UDP for udp://).
    const protocol = schemeOf(address.scheme).transport;
    const port = service?.ports.find((p) => p.port === address.port && p.protocol === protocol);
    return port ? port.endpoints.flatMap((e) => at(e.ips, e.port)) : [];
  }
  const pod = topology.pods.find((p) => p.ips.includes(host) || p.name === host);
  return pod ? at(pod.ips, address.port) : [];
}

/**
 * The URL of a target rewritten to hit one endpoint directly (what a liveness check from the node
 * probes). A `dns://` name stays as it is: the node resolves through the DNS pod itself.
 */
export function endpointUrl(address: TargetAddress, endpoint: LabEndpoint): string {
  if (schemeOf(address.scheme).reaches === 'resolver') return address.url;
  return `${address.scheme}://${hostPort({ ...address, host: endpoint.ip, port: endpoint.port })}${address.path}`;
}

/** Lab pods matching a source's namespace and label selector, in declaration order. */
export function podsMatching(
  topology: LabTopology,
  namespace: string | undefined,
  selector: Readonly<Record<string, string>> | undefined,
): LabPod[] {
  return topology.pods.filter(
    (p) => p.namespace === namespace && Object.entries(selector ?? {}).every(([k, v]) => p.labels[k] === v),
  );
}
