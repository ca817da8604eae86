// The lab's address plan in both families, as a dual-stack cluster's: pods and Services each get
// an IPv4 and an IPv6 address, IPv4 first (the order of a pod's status.podIPs and a Service's clusterIPs).

import type { IpFamily } from '../model/family.ts';

/** The pod network: the node's bridge holds the first address of each family. */
export const POD_NETWORK = {
  ipv4: { node: '10.244.0.1', prefixLength: 16 },
  ipv6: { node: 'fd00:10:244::1', prefixLength: 64 },
} as const;

/** Pod address n (n ≥ 0) of each family: 10.244.0.0/16 and fd00:10:244::/64, after the node's. */
export function podIps(n: number): [string, string] {
  const host = n + 2;
  return [`10.244.${Math.floor(host / 256)}.${host % 256}`, `fd00:10:244::${host.toString(16)}`];
}

/** Virtual Service address n of each family: 10.96.0.0/16 and fd00:10:96::/112, as a cluster's ClusterIP ranges. */
export function serviceIps(n: number): [string, string] {
  const host = n + 10;
  return [`10.96.${Math.floor(host / 256)}.${host % 256}`, `fd00:10:96::${host.toString(16)}`];
}

/** The family of an address: IPv6 addresses hold a colon, IPv4 ones never do. */
export function familyOf(ip: string): IpFamily {
  return ip.includes(':') ? 'ipv6' : 'ipv4';
}

/** The address of `family` among `ips`, if there is one. */
export function ipOf(ips: readonly string[], family: IpFamily): string | undefined {
  return ips.find((ip) => familyOf(ip) === family);
}

/** An address as it appears before `:port` in a URL: IPv6 in brackets. */
export function urlHost(ip: string): string {
  return familyOf(ip) === 'ipv6' ? `[${ip}]` : ip;
}
