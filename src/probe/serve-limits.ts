// How long `prober serve` waits on a client, and the per-request HTTP deadlines it has to enforce itself.

import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The synthetic target's timeouts. */
export interface ServeLimits {
  /** A request's headers must be complete this long after the connection's first bytes, or after the previous response. */
  readonly headersTimeoutMs: number;
  /** A request's body must be complete this long after its headers. */
  readonly requestTimeoutMs: number;
  /** An HTTP connection with no request in progress is closed after this long without one (keep-alive). */
  readonly keepAliveTimeoutMs: number;
  /**
   * A connection with no traffic this long is closed with a FIN: one that never sent a byte, a Redis
   * client between commands, an HTTP client gone quiet. Long, so that a TCP probe that holds its
   * connection to see whether it survives never sees the target close it.
   */
  readonly idleTimeoutMs: number;
}

/** The defaults: generous for a person typing a request into `nc`, short enough that slow clients cannot pile up. */
export const SERVE_LIMITS: ServeLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
};

/** What Node's own server sends when a request's headers are too slow. */
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** Closes with a FIN once what was written is flushed; never leaves a half-closed socket behind. */
export function closeGently(socket: Socket, last?: string): void {
  if (socket.destroyed) return;
  socket.end(last ?? '', () => socket.destroy());
}

/**
 * Configures `http` with the idle and keep-alive limits and returns a function that puts a socket
 * under the header and request deadlines. Node's http.Server checks those deadlines only for
 * connections it accepted on its own listening socket; serve hands it sockets it sniffed first.
 */
export function httpDeadlines(http: HttpServer, limits: ServeLimits): (socket: Socket) => void {
  http.timeout = limits.idleTimeoutMs;
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const guards = new WeakMap<Socket, (req: IncomingMessage, res: ServerResponse) => void>();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => guards.get(req.socket)?.(req, res));
  return (socket) => guards.set(socket, guardConnection(socket, limits));
}

/** One connection's deadlines: headers while no request is in progress, the body once its headers are in. */
function guardConnection(socket: Socket, limits: ServeLimits): (req: IncomingMessage, res: ServerResponse) => void {
  const timers = new Set<NodeJS.Timeout>();
  let headersTimer: NodeJS.Timeout | undefined;
  let inProgress = 0;
  const after = (ms: number, expire: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      expire();
    }, ms).unref();
    timers.add(timer);
    return timer;
  };
  const cancel = (timer: NodeJS.Timeout | undefined): void => {
    if (!timer) return;
    clearTimeout(timer);
    timers.delete(timer);
  };
  const awaitHeaders = (): void => {
    headersTimer = after(limits.headersTimeoutMs, () => closeGently(socket, REQUEST_TIMEOUT));
  };
  socket.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
  });
  awaitHeaders();
  return (req, res) => {
    // Pipelined requests arrive before earlier answers finish: the header clock restarts only when all are answered.
    inProgress += 1;
    cancel(headersTimer);
    if (!req.complete) {
      const bodyTimer = after(limits.requestTimeoutMs, () => socket.destroy());
      req.once('end', () => cancel(bodyTimer));
    }
    res.once('finish', () => {
      inProgress -= 1;
      if (inProgress === 0) awaitHeaders();
    });
  };
}
