// CIDR blocks with exceptions (ipBlock, ANP networks, Cilium CIDR sets) and address matching.
import ipaddr from 'ipaddr.js';

/**
 * A parsed address as an integer: IPv4 in a number (fast path, most clusters), IPv6 in a
 * bigint. IPv4-mapped IPv6 addresses count as IPv4.
 */
export type Address =
  | { readonly kind: 'ipv4'; readonly value: number }
  | { readonly kind: 'ipv6'; readonly value: bigint };

/** A network: address with the host bits cleared, and the prefix length. */
interface Range {
  readonly base: Address;
  readonly bits: number;
}

/** A CIDR minus its exceptions. */
export interface CidrBlock {
  readonly cidr: string;
  readonly except: readonly string[];
  readonly range: Range;
  readonly exceptRanges: readonly Range[];
  /** Canonical text, equal for equal blocks (cache key). */
  readonly key: string;
}

function toAddress(parsed: ipaddr.IPv4 | ipaddr.IPv6): Address {
  const v4 =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  if (v4.kind() === 'ipv4') {
    const [a, b, c, d] = (v4 as ipaddr.IPv4).octets as [number, number, number, number];
    return { kind: 'ipv4', value: ((a << 24) >>> 0) + (b << 16) + (c << 8) + d };
  }
  let value = 0n;
  for (const part of (v4 as ipaddr.IPv6).parts) value = (value << 16n) | BigInt(part);
  return { kind: 'ipv6', value };
}

/** Parses an address, or returns undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  return ipaddr.isValid(text) ? toAddress(ipaddr.parse(text)) : undefined;
}

/** True when the text is an IPv4 or IPv6 address. */
export function isAddress(text: string): boolean {
  return ipaddr.isValid(text);
}

function inRange(range: Range, address: Address): boolean {
  if (range.base.kind !== address.kind) return false;
  if (range.bits === 0) return true;
  if (address.kind === 'ipv4') {
    // `>>> 32` would be `>>> 0` in JavaScript, hence the bits === 0 case above.
    return (address.value ^ (range.base.value as number)) >>> (32 - range.bits) === 0;
  }
  const shift = BigInt(128 - range.bits);
  return address.value >> shift === (range.base.value as bigint) >> shift;
}

/** Parses `a.b.c.d/n` (or an IPv6 CIDR); returns an error text when it is not one. */
function parseCidr(text: string): Range | string {
  if (!ipaddr.isValidCIDR(text)) return `"${text}" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)`;
  const [address, bits] = ipaddr.parseCIDR(text);
  const base = toAddress(address);
  // An IPv4-mapped CIDR's prefix counts the 96 mapped bits; normalise to IPv4's.
  const width = address.kind() === 'ipv6' && base.kind === 'ipv4' ? bits - 96 : bits;
  if (width < 0) return `"${text}" is not a CIDR this engine can compare`;
  return { base, bits: width };
}

/**
 * Builds a block; returns an error text when a CIDR is malformed or an exception lies outside
 * the block (the API server refuses those too).
 */
export function makeCidrBlock(cidr: string, except: readonly string[]): CidrBlock | string {
  const range = parseCidr(cidr);
  if (typeof range === 'string') return range;
  const exceptRanges: Range[] = [];
  for (const e of except) {
    const r = parseCidr(e);
    if (typeof r === 'string') return r;
    if (!inRange(range, r.base) || r.bits < range.bits) return `except "${e}" is not inside cidr "${cidr}"`;
    exceptRanges.push(r);
  }
  return { cidr, except, range, exceptRanges, key: [cidr, ...[...except].sort()].join(' ') };
}

/** True when the address is in the block and in none of its exceptions. */
export function inBlock(block: CidrBlock, address: Address): boolean {
  if (!inRange(block.range, address)) return false;
  for (const r of block.exceptRanges) if (inRange(r, address)) return false;
  return true;
}

/** True for a block of every address of its family with no exception (0.0.0.0/0, ::/0). */
export function isUniversal(block: CidrBlock): boolean {
  return block.range.bits === 0 && block.exceptRanges.length === 0;
}

/** Describes a block for explanations. */
export function formatBlock(block: CidrBlock): string {
  return block.except.length === 0 ? block.cidr : `${block.cidr} except ${block.except.join(', ')}`;
}
