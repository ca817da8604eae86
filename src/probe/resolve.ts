// Resolves a target host to one address the way the workload itself would (system resolver, /etc/hosts).

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Resolves `host` to an address; IP literals are returned as they are. Throws resolver errors. */
export async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const family = isIP(host);
  if (family === 4 || family === 6) return { address: host, family };
  const found = await lookup(host, { verbatim: true });
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}
