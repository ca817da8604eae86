// One DNS query to a named server over UDP or TCP (2-byte length prefix), classified like every other probe.

import { createSocket } from 'node:dgram';
import type { DnsRecordType, DnsServer } from '../model/dns-query.ts';
import { type AttemptContext, openConnection } from './attempt.ts';
import { type Attempt, NoRouteFromHere } from './classify.ts';
import { type AskedQuestion, buildQuery, judgeReply, MAX_UDP_REPLY, queryId } from './dns-message.ts';

/**
 * Asks `server` for `name` over `over` within the attempt `ctx`. Socket errors (ICMP port unreachable
 * → ECONNREFUSED, host or admin prohibited → EHOSTUNREACH, a reset …) are thrown for runAttempt to classify;
 * a passed deadline is a timeout naming the server and transport.
 */
export async function askServer(
  ctx: AttemptContext,
  server: DnsServer,
  over: 'udp' | 'tcp',
  name: string,
  type: DnsRecordType,
  timeoutMs: number,
): Promise<Attempt> {
  // The port always shows, so the detail names the peer exactly as runAttempt would.
  const peer = server.ip.includes(':') ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`;
  const asked: AskedQuestion = { id: queryId(), name, type, where: `${peer} over ${over.toUpperCase()}` };
  const query = buildQuery(name, type, asked.id);
  ctx.atDeadline = () => ({
    observed: 'deny',
    reason: 'timeout',
    detail: `no reply from ${asked.where} within ${timeoutMs}ms`,
  });
  if (over === 'udp') {
    let reply: Buffer;
    try {
      reply = await udpExchange(ctx, server, query);
    } catch (error) {
      const icmp = error instanceof NoRouteFromHere ? undefined : icmpOnUdp((error as NodeJS.ErrnoException).code);
      if (!icmp) throw error;
      return { ...icmp, detail: `${asked.where}: ${icmp.detail}` };
    }
    if (reply.length > MAX_UDP_REPLY)
      return {
        observed: 'error',
        reason: 'protocol',
        detail: `a ${reply.length}-byte reply from ${asked.where} is over the ${MAX_UDP_REPLY} bytes read`,
      };
    return judgeReply(reply, asked);
  }
  const reply = await tcpExchange(ctx, server, query);
  if (reply === 'closed')
    return { observed: 'deny', reason: 'closed', detail: `${asked.where}: connected, then closed without a reply` };
  if (typeof reply === 'string') return { observed: 'error', reason: 'protocol', detail: `${asked.where}: ${reply}` };
  return judgeReply(reply, asked);
}

/**
 * What an ICMP error on the connected UDP socket means, as Linux reports it: port unreachable is
 * ECONNREFUSED; ICMPv4 host unreachable or administratively prohibited is EHOSTUNREACH; ICMPv6
 * administratively prohibited is EACCES. Other errors are left to the common classification.
 */
function icmpOnUdp(code: string | undefined): Attempt | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return {
        observed: 'deny',
        reason: 'refused',
        detail: 'ICMP port unreachable (ECONNREFUSED): nothing listens there',
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { observed: 'deny', reason: 'unreachable', detail: `ICMP unreachable or prohibited (${code})` };
    case 'EACCES':
      return { observed: 'deny', reason: 'unreachable', detail: 'ICMP administratively prohibited (EACCES)' };
    default:
      return undefined;
  }
}

/** Sends the query on a connected UDP socket (so ICMP errors reach it) and resolves the first datagram back. */
function udpExchange(ctx: AttemptContext, server: DnsServer, query: Buffer): Promise<Buffer> {
  ctx.phase = 'exchange';
  return new Promise<Buffer>((resolve, reject) => {
    const socket = createSocket(server.ip.includes(':') ? 'udp6' : 'udp4');
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      socket.close();
    };
    ctx.onTimeout(close);
    socket.once('error', (error) => {
      close();
      reject(error);
    });
    socket.once('message', (message) => {
      close();
      resolve(message);
    });
    // A UDP connect sends nothing: it only looks the route up, so its failure is always the source's own.
    socket.connect(server.port, server.ip, (error?: Error) => {
      if (error) {
        close();
        reject(new NoRouteFromHere(error as NodeJS.ErrnoException));
      } else if (open) socket.send(query);
    });
  });
}

/**
 * Sends the query with its length prefix and reads one length-prefixed message back (at most 65535
 * bytes, as the prefix allows). Resolves 'closed' when the server closes without a byte, a reason
 * string when it sends something that is not one whole message.
 */
async function tcpExchange(ctx: AttemptContext, server: DnsServer, query: Buffer): Promise<Buffer | string> {
  const socket = await openConnection(ctx, server.ip, server.port);
  ctx.phase = 'exchange';
  try {
    return await new Promise<Buffer | string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const onData = (chunk: Buffer): void => {
        chunks.push(chunk);
        received += chunk.length;
        if (received < 2) return;
        const all = Buffer.concat(chunks);
        chunks.splice(0, chunks.length, all);
        const length = all.readUInt16BE(0);
        if (length === 0) resolve('a zero-length DNS message');
        else if (received >= 2 + length) resolve(all.subarray(2, 2 + length));
      };
      socket.on('data', onData);
      socket.once('end', () =>
        resolve(received === 0 ? 'closed' : `closed after ${received} bytes, before a whole DNS message`),
      );
      socket.once('error', reject);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([prefix, query]));
    });
  } finally {
    socket.destroy();
  }
}
