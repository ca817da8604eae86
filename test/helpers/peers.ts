// Real peers that produce each outcome class: listeners that accept, reset, close silently, or answer HTTP.

import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Test } from 'tap';

/** Listens on a free loopback port and closes the server when the test ends. */
export async function listen(t: Test, server: Server, host = '127.0.0.1'): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** A listener that accepts and then resets every connection (as an L4 deny by a proxy looks). */
export function resettingServer(): Server {
  return createServer((socket) => socket.resetAndDestroy());
}

/** A listener that accepts and then closes cleanly without a byte (as ztunnel/Envoy L4 denies look). */
export function closingServer(): Server {
  return createServer((socket) => socket.end());
}

/** A listener that accepts and never answers. */
export function silentServer(): Server {
  return createServer((socket) => socket.on('error', () => undefined));
}

/** An HTTP server with a custom handler. */
export function httpServer(handler: RequestListener): Server {
  return createHttpServer(handler) as unknown as Server;
}

/** A loopback port with nothing listening: bind a free port, then release it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
