// The source's own DNS server: the first `nameserver` of /etc/resolv.conf (in a pod, the cluster DNS Service).

import { isIP } from 'node:net';
import { DNS_PORT, type DnsServer } from '../model/dns-query.ts';

/** Where the system resolver's configuration lives; `ip netns exec` bind-mounts /etc/netns/NS/resolv.conf here. */
const RESOLV_CONF = '/etc/resolv.conf';
/** The most of the file read: resolv.conf is a few lines; a huge one is not worth more memory. */
const MAX_BYTES = 64 * 1024;

/**
 * The first nameserver the system resolver would ask, or a one-line reason there is none. An IPv6
 * link-local address keeps its zone (`fe80::1%eth0`), which the socket needs.
 */
export async function firstNameserver(path = RESOLV_CONF): Promise<DnsServer | string> {
  let text: string;
  try {
    // Loaded on first use: node:fs/promises brings readline and the file streams, which an agent or a
    // `probe` paid for at start-up though only a DNS probe reads this file.
    const file = await process.getBuiltinModule('node:fs/promises').open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_BYTES);
      const { bytesRead } = await file.read(buffer, 0, MAX_BYTES, 0);
      text = buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await file.close();
    }
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    const ip = match?.[1];
    if (ip && ip.length <= 64 && isIP(ip.replace(/%[\w.-]+$/, '')) !== 0) return { ip, port: DNS_PORT };
  }
  return `${path} names no nameserver`;
}
