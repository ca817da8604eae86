// IP families: which family a probe uses, how cells and reports name it, and the family of an address.

/** The IP families, in the order dual-stack clusters list a pod's or Service's addresses. */
const FAMILIES = ['ipv4', 'ipv6'] as const;

/** An IP family. */
export type IpFamily = (typeof FAMILIES)[number];

/** What a target may ask for: one family, or each family probed separately. */
export type FamilyChoice = IpFamily | 'both';

/** How people write a family: `IPv4`, `IPv6`. */
export function familyLabel(family: IpFamily): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}

/**
 * The name of the cell column of a target probed over one family: `redis (IPv6)`. A test's
 * expectation rules keep naming the target as written (`redis`), which covers each of its families.
 */
export function familyTargetName(name: string, family: IpFamily): string {
  return `${name} (${familyLabel(family)})`;
}

/** The families a choice probes, in order. */
export function familiesOf(choice: FamilyChoice): readonly IpFamily[] {
  return choice === 'both' ? FAMILIES : [choice];
}

/** The address family number the system resolver takes (4 or 6). */
export function familyNumber(family: IpFamily): 4 | 6 {
  return family === 'ipv4' ? 4 : 6;
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
