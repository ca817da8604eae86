// A synthetic target: every port speaks HTTP and Redis PING over TCP, answers UDP datagrams, and replies with its own identity.

import type { Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { closeGently, httpDeadlines, SERVE_LIMITS, type ServeLimits } from './serve-limits.ts';
import { startUdpResponder } from './udp-server.ts';

/** Who the target says it is. */
export interface Identity {
  readonly name: string;
  readonly hostname: string;
  readonly namespace?: string;
  readonly podIP?: string;
  /** The node the pod runs on (`spec.nodeName`), so a client can tell which node and zone answered. */
  readonly node?: string;
}

/** A running synthetic target. */
export interface TargetServer {
  /** The ports actually bound (port 0 asks the system for a free one). */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/** The identity from `env` as the Kubernetes downward API usually provides it (POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME). */
export function identityFromEnv(env: NodeJS.ProcessEnv, name?: string): Identity {
  return {
    name: name ?? env.POD_NAME ?? hostname(),
    hostname: hostname(),
    ...(env.POD_NAMESPACE ? { namespace: env.POD_NAMESPACE } : {}),
    ...(env.POD_IP ? { podIP: env.POD_IP } : {}),
    ...(env.NODE_NAME ? { node: env.NODE_NAME } : {}),
  };
}

const HTTP_METHOD = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /;

/**
 * Listens on every port. A connection is sniffed on its first bytes: HTTP gets a JSON identity
 * (`/status/NNN` answers that status), Redis `PING` gets `+PONG`. A connection that sends nothing is
 * held (a TCP probe may watch whether it survives) until `idleTimeoutMs`, then closed with a FIN;
 * HTTP requests are bounded by the header, request and keep-alive limits. The same port numbers answer
 * UDP: each datagram gets the identity as JSON, never longer than the datagram (see udp-server.ts).
 */
export async function startTargetServer(
  ports: readonly number[],
  host: string,
  identity: Identity,
  limits: Partial<ServeLimits> = {},
): Promise<TargetServer> {
  const bounds: ServeLimits = { ...SERVE_LIMITS, ...limits };
  const http = createHttpServer((req, res) => answerHttp(req, res, identity));
  const underDeadlines = httpDeadlines(http, bounds);
  const servers: Server[] = [];
  const udp: UdpSocket[] = [];
  const sockets = new Set<Socket>();
  try {
    for (const port of ports) {
      const server = createTcpServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        const idle = (): void => closeGently(socket);
        socket.setTimeout(bounds.idleTimeoutMs, idle);
        socket.once('data', (first) => {
          if (!isHttp(first)) return speakRedis(socket, first);
          // From here Node's HTTP server owns the socket's timeouts (idle, keep-alive) and serve its deadlines.
          socket.off('timeout', idle);
          socket.setTimeout(0);
          underDeadlines(socket);
          socket.unshift(first);
          http.emit('connection', socket);
        });
      });
      servers.push(server);
      udp.push(await listenBoth(server, port, host, identity));
    }
  } catch (error) {
    for (const server of servers) server.close();
    for (const socket of udp) socket.close();
    throw new Error(`unable to listen on ${host}:${ports.join(',')}`, { cause: error });
  }
  return {
    ports: servers.map((server) => (server.address() as AddressInfo).port),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        ...servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
        ...udp.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
      ]);
    },
  };
}

/** How often port 0 is tried again when the free TCP port the system chose is taken for UDP. */
const FREE_PORT_TRIES = 20;

/**
 * Listens on TCP `port` and binds UDP on the same number. For port 0 the system picks the TCP port;
 * if that number is taken for UDP, another is picked, so both protocols always share one number.
 */
async function listenBoth(server: Server, port: number, host: string, identity: Identity): Promise<UdpSocket> {
  for (let tries = 1; ; tries += 1) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = (server.address() as AddressInfo).port;
    try {
      return await startUdpResponder(bound, host, identity);
    } catch (error) {
      if (port !== 0 || tries >= FREE_PORT_TRIES || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function isHttp(first: Buffer): boolean {
  return HTTP_METHOD.test(first.toString('latin1', 0, 16));
}

/** Answers every PING in each chunk with +PONG, anything else with one Redis error. */
function speakRedis(socket: Socket, first: Buffer): void {
  const reply = (chunk: Buffer): void => {
    const commands = chunk.toString('latin1').toUpperCase().match(/PING/g)?.length ?? 0;
    socket.write(commands > 0 ? '+PONG\r\n'.repeat(commands) : '-ERR prober serve answers only PING\r\n');
  };
  reply(first);
  socket.on('data', reply);
}

/** Interim responses that can precede a final one on a plain GET; serve sends the asked one, then 200. */
const INTERIM: Readonly<Partial<Record<number, (res: ServerResponse) => void>>> = {
  102: (res) => res.writeProcessing(),
  103: (res) => res.writeEarlyHints({ link: '</>; rel=preload; as=fetch' }),
};

/**
 * The final status for a request asking `/status/NNN`. A 1xx is never final: 102 and 103 go out as
 * interim responses followed by 200. 100 gets 200 alone: Node already sends 100 Continue to a request
 * that expects it, and an unasked one makes clients such as fetch() fail. 101 (it would switch
 * protocols) and unassigned 1xx cannot be sent, so like a status outside 100-599 they get 400.
 * Every substitute carries a note saying why.
 */
function finalStatus(asked: number, res: ServerResponse): { status: number; note?: string } {
  if (asked < 100 || asked > 599) return { status: 400, note: `${asked} is not an HTTP status` };
  if (asked >= 200) return { status: asked };
  if (asked === 100)
    return { status: 200, note: '100 Continue goes out only to a request that sends "Expect: 100-continue"' };
  const interim = INTERIM[asked];
  if (!interim)
    return { status: 400, note: `${asked} is not a final status and serve cannot send it as an interim one` };
  interim(res);
  return { status: 200, note: `${asked} was sent as an interim response before this final one` };
}

function answerHttp(req: IncomingMessage, res: ServerResponse, identity: Identity): void {
  const url = req.url ?? '/';
  const asked = /^\/status\/(\d{3})\b/.exec(url);
  const { status, note } = finalStatus(asked ? Number(asked[1]) : 200, res);
  const body = JSON.stringify({
    ...identity,
    port: req.socket.localPort,
    path: url,
    client: req.socket.remoteAddress,
    ...(note ? { note } : {}),
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    // Who answered, as the time app says it too; a name no header can carry is left to the body.
    ...(/^[\x21-\x7e]{1,253}$/.test(identity.name) ? { 'x-pod-name': identity.name } : {}),
  });
  res.end(body);
}
