// A real DNS server for tests: Debian's dnsmasq on a free port, answering, NXDOMAIN and REFUSED by name.

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Teardown } from './netns.ts';
import { waitFor } from './wait.ts';

/**
 * What the server knows: `found.test` is 192.0.2.1 and 2001:db8::1; `v4only.local.test` has only an
 * A record (AAAA is NOERROR with no records); any other name under `local.test` is NXDOMAIN; every
 * other name is REFUSED (no upstream: dnsmasq 2.90 refuses what it cannot answer locally).
 */
export const ZONE = {
  found: 'found.test',
  foundV4: '192.0.2.1',
  foundV6: '2001:db8::1',
  v4only: 'v4only.local.test',
  missing: 'nope.local.test',
  refused: 'elsewhere.example',
} as const;

/** dnsmasq's arguments for its listen addresses and port, in the foreground, with the zone above. */
export function dnsmasqArgs(listen: readonly string[], port: number): string[] {
  return [
    '--no-daemon',
    '--conf-file=/dev/null',
    `--port=${port}`,
    ...listen.map((address) => `--listen-address=${address}`),
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--log-facility=-',
    `--address=/${ZONE.found}/${ZONE.foundV4}`,
    `--address=/${ZONE.found}/${ZONE.foundV6}`,
    '--local=/local.test/',
    `--host-record=${ZONE.v4only},192.0.2.7`,
  ];
}

/** A running dnsmasq. */
export interface Dnsmasq {
  readonly listen: readonly string[];
  readonly port: number;
  readonly child: ChildProcess;
}

/**
 * Starts dnsmasq on `listen` (127.0.0.1 or ::1) on a port the system gave free for both TCP and UDP;
 * killed at teardown. `spawnIt` runs it elsewhere (e.g. inside a network namespace), on port 53 there,
 * and `listen` may then name several addresses.
 */
export async function startDnsmasq(
  t: Teardown,
  listen: string | readonly string[],
  spawnIt?: (args: string[]) => ChildProcess,
): Promise<Dnsmasq> {
  const addresses = typeof listen === 'string' ? [listen] : listen;
  const port = spawnIt ? 53 : await freePort(addresses[0] ?? '127.0.0.1');
  const args = dnsmasqArgs(addresses, port);
  const child = spawnIt ? spawnIt(args) : spawn('dnsmasq', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  await waitFor(`dnsmasq on ${addresses.join(', ')} port ${port}`, () => {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${log.trim()}`);
    return /started, version/.test(log);
  });
  return { listen: addresses, port, child };
}

/** A port free for TCP and UDP on `host`, as the system hands it out (bind to port 0). */
async function freePort(host: string): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, host, () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}
