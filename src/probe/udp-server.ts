// The UDP side of `prober serve`: every datagram is answered with the target's identity, never with more bytes than it brought.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { UDP_PROBE_MAGIC } from '../model/udp-payload.ts';

/** Who the target says it is (serve's Identity): every field goes into the reply. */
type Identity = { readonly name: string };

/**
 * The identity reply to one datagram, as JSON like the HTTP reply, at most as long as the request: a
 * reply to a spoofed source can never amplify. When the full identity does not fit, the name alone is
 * sent; when not even that fits, an empty datagram, which still proves the target answered.
 */
export function udpReply(request: Buffer, identity: Identity, port: number, client: RemoteInfo): Buffer {
  const probe = request.toString('latin1', 0, UDP_PROBE_MAGIC.length) === UDP_PROBE_MAGIC;
  const full = Buffer.from(
    JSON.stringify({ ...identity, port, protocol: 'udp', client: client.address, ...(probe ? {} : { foreign: true }) }),
  );
  if (full.length <= request.length) return full;
  const short = Buffer.from(JSON.stringify({ name: identity.name }));
  return short.length <= request.length ? short : Buffer.alloc(0);
}

/** Binds a UDP socket on `host`:`port` that answers every datagram with `udpReply`. */
export async function startUdpResponder(port: number, host: string, identity: Identity): Promise<Socket> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  // A send that fails (the client's port closed, a local firewall) concerns that client only.
  socket.on('error', () => undefined);
  socket.on('message', (request, client) => {
    socket.send(udpReply(request, identity, port, client), client.port, client.address, () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}
