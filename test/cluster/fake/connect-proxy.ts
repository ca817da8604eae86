// An HTTP CONNECT proxy on a real socket, as corporate networks put between kubectl and the API server:
// it tunnels every CONNECT to the fake API server's port, whatever host was asked for, and records what
// it was asked, so a test sees whether prober went through it.

import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Test } from 'tap';

/** A running proxy: its URL and the `host:port` of every CONNECT it tunnelled. */
export interface ConnectProxy {
  readonly url: string;
  readonly connects: string[];
}

/** Starts a CONNECT proxy on a free loopback port that tunnels to 127.0.0.1:`port`; it stops at teardown. */
export async function startConnectProxy(t: Test, port: number): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('this proxy only tunnels (CONNECT)\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    sockets.add(client);
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const close = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
    client.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connects };
}
