// Command-line values of `prober simulate`: ports with protocols, addresses.
import { isIP } from 'node:net';
import type { Protocol } from '../policy/index.ts';
import { UsageError } from './usage-error.ts';

/** True when the text is an IPv4 or IPv6 address. */
export function isAddressText(text: string): boolean {
  return isIP(text) !== 0;
}

/** Parses `6379`, `6379/TCP` or `53/udp` (protocol defaults to TCP). */
export function parsePortArg(text: string, flag: string): { port: number; protocol: Protocol } {
  const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  const port = match ? Number(match[1]) : NaN;
  if (!match || port < 1 || port > 65535)
    throw new UsageError(`${flag}: "${text}" is not a port (write e.g. 6379, 6379/TCP or 53/UDP)`);
  return { port, protocol: (match[2]?.toUpperCase() ?? 'TCP') as Protocol };
}
