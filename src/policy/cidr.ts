// CIDR blocks with exceptions (ipBlock, ANP networks, Cilium CIDR sets) and address matching.
import ipaddr from 'ipaddr.js';

/** A parsed address; IPv4-mapped IPv6 addresses are treated as IPv4. */
export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A CIDR minus its exceptions. */
export interface CidrBlock {
  readonly cidr: string;
  readonly except: readonly string[];
  readonly range: readonly [Address, number];
  readonly exceptRanges: readonly (readonly [Address, number])[];
}

/** Parses an address, or returns undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const address = ipaddr.parse(text);
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** True when the text is an IPv4 or IPv6 address. */
export function isAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

/** Parses `a.b.c.d/n` (or an IPv6 CIDR); returns an error text when it is not one. */
export function parseCidr(text: string): readonly [Address, number] | string {
  if (!ipaddr.isValidCIDR(text)) return `"${text}" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)`;
  const [address, bits] = ipaddr.parseCIDR(text);
  return [address, bits];
}

function contains(range: readonly [Address, number], address: Address): boolean {
  return range[0].kind() === address.kind() && address.match(range[0] as never, range[1]);
}

/**
 * Builds a block; returns an error text when a CIDR is malformed or an exception lies outside
 * the block (the API server refuses those too).
 */
export function makeCidrBlock(cidr: string, except: readonly string[]): CidrBlock | string {
  const range = parseCidr(cidr);
  if (typeof range === 'string') return range;
  const exceptRanges: (readonly [Address, number])[] = [];
  for (const e of except) {
    const r = parseCidr(e);
    if (typeof r === 'string') return r;
    if (!contains(range, r[0]) || r[1] < range[1]) return `except "${e}" is not inside cidr "${cidr}"`;
    exceptRanges.push(r);
  }
  return { cidr, except, range, exceptRanges };
}

/** True when the address is in the block and in none of its exceptions. */
export function inBlock(block: CidrBlock, address: Address): boolean {
  if (!contains(block.range, address)) return false;
  return !block.exceptRanges.some((r) => contains(r, address));
}

/** Describes a block for explanations. */
export function formatBlock(block: CidrBlock): string {
  return block.except.length === 0 ? block.cidr : `${block.cidr} except ${block.except.join(', ')}`;
}
