// The HTTP side of `prober watch`: GET /metrics (Prometheus's text format), GET /healthz, and the live
// page (GET / and the GET /state.json it polls), bounded.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from './usage-error.ts';
import { embeddedJson, WATCH_PAGE_CSP, watchPage } from './watch-page.ts';
import type { PageState } from './watch-state.ts';

/** Where the server listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Bounds of the metrics server: a scrape is one small GET, and nothing else deserves to hold a socket. */
const LIMITS = {
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  maxConnections: 32,
  maxHeaderSize: 8192,
};

/**
 * Parses `--listen HOST:PORT` (`[::1]:9464` for IPv6). A host other than loopback is refused unless
 * `nonLocal` allows it: the metrics name every workload of the tests and say which paths are open.
 */
export function parseListen(text: string, nonLocal: boolean): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535)
    throw new UsageError(
      `--listen: "${text.slice(0, 80)}" is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464; port 0-65535)`,
    );
  if (!nonLocal && !isLoopback(host))
    throw new UsageError(
      `--listen: ${host} is not a loopback address; the metrics describe what the network lets through, so add --listen-non-local to serve them beyond this host`,
    );
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A running metrics server. */
export interface MetricsServer {
  /** The address actually bound (port 0 picks a free one). */
  readonly address: ListenAddress;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** What the server answers from. */
export interface Served {
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly healthy: () => boolean;
  /** The live page's state, now. */
  readonly state: () => PageState;
}

/** Serves `metrics()` on GET /metrics, `healthy()` on GET /healthz, the page on GET /; throws when it cannot listen. */
export async function startMetricsServer(at: ListenAddress, served: Served): Promise<MetricsServer> {
  const server = createServer(
    {
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
      keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
      maxHeaderSize: LIMITS.maxHeaderSize,
    },
    (request, response) => {
      void answer(request, response, served);
    },
  );
  server.maxConnections = LIMITS.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new UsageError(`--listen: cannot listen on ${at.host}:${at.port}: ${error.message}`)),
    );
    server.listen(at.port, at.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: at.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Headers of every answer: never cached, never sniffed, never framed, no referrer. */
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function answer(request: IncomingMessage, response: ServerResponse, served: Served): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  const send = (status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': type, ...COMMON_HEADERS, ...extra });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(405, 'text/plain', 'method not allowed\n');
  }
  if (path === '/metrics') {
    try {
      const { contentType, body } = await served.metrics();
      return send(200, contentType, body);
    } catch {
      return send(500, 'text/plain', 'metrics could not be collected\n');
    }
  }
  if (path === '/healthz')
    return served.healthy() ? send(200, 'text/plain', 'ok\n') : send(503, 'text/plain', 'stopping\n');
  if (path === '/')
    return send(200, 'text/html; charset=utf-8', watchPage(served.state()), {
      'content-security-policy': WATCH_PAGE_CSP,
    });
  if (path === '/state.json') return send(200, 'application/json', embeddedJson(served.state()));
  return send(404, 'text/plain', 'not found: /, /state.json, /metrics and /healthz are served\n');
}
