// A synthetic target: every port speaks HTTP and Redis PING, and answers with its own identity.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';

/** Who the target says it is. */
export interface Identity {
  readonly name: string;
  readonly hostname: string;
  readonly namespace?: string;
  readonly podIP?: string;
}

/** A running synthetic target. */
export interface TargetServer {
  /** The ports actually bound (port 0 asks the system for a free one). */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/** The identity from the environment the Kubernetes downward API usually provides. */
export function identityFromEnv(name?: string): Identity {
  return {
    name: name ?? process.env.POD_NAME ?? hostname(),
    hostname: hostname(),
    ...(process.env.POD_NAMESPACE ? { namespace: process.env.POD_NAMESPACE } : {}),
    ...(process.env.POD_IP ? { podIP: process.env.POD_IP } : {}),
  };
}

const HTTP_METHOD = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /;

/**
 * Listens on every port. A connection is sniffed on its first bytes: HTTP gets a JSON identity
 * (`/status/NNN` answers that status), Redis `PING` gets `+PONG`, silence is simply held open.
 */
export async function startTargetServer(ports: readonly number[], host: string, identity: Identity): Promise<TargetServer> {
  const http = createHttpServer((req, res) => answerHttp(req, res, identity));
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  try {
    for (const port of ports) {
      const server = createTcpServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        socket.once('data', (first) => route(socket, first, http));
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw new Error(`unable to listen on ${host}:${ports.join(',')}`, { cause: error });
  }
  return {
    ports: servers.map((server) => (server.address() as AddressInfo).port),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function route(socket: Socket, first: Buffer, http: ReturnType<typeof createHttpServer>): void {
  const text = first.toString('latin1');
  if (HTTP_METHOD.test(text)) {
    socket.unshift(first);
    http.emit('connection', socket);
    return;
  }
  const reply = (chunk: Buffer): void => {
    const commands = chunk.toString('latin1').toUpperCase().match(/PING/g)?.length ?? 0;
    socket.write(commands > 0 ? '+PONG\r\n'.repeat(commands) : '-ERR prober serve answers only PING\r\n');
  };
  reply(first);
  socket.on('data', reply);
}

function answerHttp(req: IncomingMessage, res: ServerResponse, identity: Identity): void {
  const url = req.url ?? '/';
  const asked = /^\/status\/(\d{3})\b/.exec(url);
  const status = asked ? Number(asked[1]) : 200;
  const body = JSON.stringify({ ...identity, port: req.socket.localPort, path: url, client: req.socket.remoteAddress });
  res.writeHead(status >= 100 && status <= 599 ? status : 400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
