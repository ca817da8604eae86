// UDP probe: one datagram out on a connected socket, one reply back is an allow; ICMP errors and silence are denies.

import { createSocket, type Socket } from 'node:dgram';
import type { TargetAddress } from '../model/target.ts';
import { DEFAULT_UDP_PAYLOAD_HEX } from '../model/udp-payload.ts';
import { type AttemptContext, runAttempt } from './attempt.ts';
import { type Attempt, classifyError, NoRouteFromHere } from './classify.ts';
import { quote } from './http-reply.ts';
import { resolveHost } from './resolve.ts';

/**
 * What the kernel reports on a connected UDP socket for each ICMP error, and what it means. Linux
 * passes only "hard" ICMP errors to a socket without IP_RECVERR (which Node cannot set): port
 * unreachable (ECONNREFUSED), IPv4 communication administratively prohibited (EHOSTUNREACH) and
 * ICMPv6 administratively prohibited (EACCES). A soft error such as host unreachable is not
 * reported at all, so the probe sees silence: a timeout, trusted only against a target proven alive.
 */
function classifyUdpError(error: unknown, phase: AttemptContext['phase']): Attempt {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (phase === 'exchange') {
    if (code === 'ECONNREFUSED')
      return { observed: 'deny', reason: 'refused', detail: 'ICMP port unreachable (ECONNREFUSED)' };
    if (code === 'EHOSTUNREACH')
      return {
        observed: 'deny',
        reason: 'unreachable',
        detail: 'ICMP host unreachable or administratively prohibited (EHOSTUNREACH)',
      };
    if (code === 'EACCES')
      return { observed: 'deny', reason: 'unreachable', detail: 'ICMPv6 administratively prohibited (EACCES)' };
  }
  return classifyError(error, phase);
}

/** The default datagram, decoded once: most probes send it. */
const DEFAULT_PAYLOAD = Buffer.from(DEFAULT_UDP_PAYLOAD_HEX, 'hex');

/** Sends `payloadHex` (default: the datagram `prober serve` recognises) and waits for one reply. */
export function udpAttempt(
  address: TargetAddress,
  timeoutMs: number,
  payloadHex: string | undefined,
  signal?: AbortSignal,
): Promise<Attempt> {
  const payload = payloadHex === undefined ? DEFAULT_PAYLOAD : Buffer.from(payloadHex, 'hex');
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      ctx.phase = 'resolve';
      const { address: ip, family } = await resolveHost(address.host, address.family, ctx.onTimeout);
      ctx.phase = 'connect';
      ctx.peer = family === 6 ? `[${ip}]:${address.port}` : `${ip}:${address.port}`;
      const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
      ctx.onTimeout(() => closeQuietly(socket));
      try {
        return await exchange(ctx, socket, ip, address.port, payload, timeoutMs);
      } catch (error) {
        return classifyUdpError(error, ctx.phase);
      } finally {
        closeQuietly(socket);
      }
    },
    signal,
  );
}

/** Connects (so the kernel filters replies to this peer and reports its ICMP errors), sends, waits for the reply. */
function exchange(
  ctx: AttemptContext,
  socket: Socket,
  ip: string,
  port: number,
  payload: Buffer,
  timeoutMs: number,
): Promise<Attempt> {
  return new Promise<Attempt>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('message', (reply) => resolve({ observed: 'allow', reason: 'replied', detail: describe(reply) }));
    // A UDP connect sends nothing: it only looks the route up, so its failure is always the source's own.
    socket.connect(port, ip, (error?: Error) => {
      if (error) return reject(new NoRouteFromHere(error as NodeJS.ErrnoException));
      ctx.phase = 'exchange';
      ctx.atDeadline = () => ({
        observed: 'deny',
        reason: 'timeout',
        detail: `no reply to a ${payload.length}-byte datagram within ${timeoutMs}ms`,
      });
      // A send error (EPERM from a local firewall, EMSGSIZE) arrives here rather than as an 'error' event.
      socket.send(payload, (error) => {
        if (error) reject(error);
      });
    });
  });
}

/** The reply for the detail line: its size and its first bytes, quoted and escaped. */
function describe(reply: Buffer): string {
  if (reply.length === 0) return 'replied with an empty datagram';
  return `replied with ${reply.length} bytes: ${quote(reply.toString('latin1', 0, 81))}`;
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}
