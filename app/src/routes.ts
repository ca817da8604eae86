// The HTTP routes of the time app and the JSON replies they give.
import type { Request, Response, Server } from 'hyper-express';
import type { Logger } from './log.ts';
import { StoreError, type TimeStore } from './store.ts';
import { APP_VERSION } from './version.ts';

/** What a route answers: status, JSON body and extra headers. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type Route = (store: TimeStore) => Reply | Promise<Reply>;

/** Methods every route accepts; anything else is answered 405. */
const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

/** The app's routes, path → handler; the seed's Flask routes, made to answer real JSON. */
export const ROUTES: Readonly<Record<string, Route>> = {
  '/': () => ({ status: 302, body: { location: '/get' }, headers: { location: '/get' } }),
  '/get': async (store) => ({ status: 200, body: { time: await store.get() } }),
  '/set': async (store) => ({ status: 200, body: { time: await store.set(new Date().toISOString()) } }),
  '/reset': async (store) => {
    await store.reset();
    return { status: 200, body: { time: null } };
  },
  '/version': () => ({ status: 200, body: { version: APP_VERSION } }),
  '/healthz': health,
  '/readyz': health,
};

// Health is "Redis answers PING": anything else (down, slow, refusing) is 503 so probes act on it.
async function health(store: TimeStore): Promise<Reply> {
  try {
    await store.ping();
    return { status: 200, body: { ping: true } };
  } catch (error) {
    if (error instanceof StoreError) return { status: 503, body: { ping: 'FAIL' } };
    throw error;
  }
}

/** Maps a failure to the reply a client sees: a short JSON error, never a stack trace. */
export function failureReply(error: unknown): Reply {
  if (error instanceof StoreError) {
    switch (error.kind) {
      case 'unavailable':
        return { status: 503, body: { error: 'redis-unavailable', message: 'Redis is unavailable' } };
      case 'error':
        return { status: 502, body: { error: 'redis-error', message: 'Redis answered with an error' } };
    }
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

/**
 * Registers every route, the 405 and 404 answers, and the per-request log line. With `podName`,
 * every reply carries it in `x-pod-name`: a client behind a Service can tell which pod answered.
 */
export function registerRoutes(server: Server, store: TimeStore, log: Logger, podName?: string): void {
  const serve = (request: Request, response: Response, route: Route): void => {
    // Read everything needed from the request now: uWS invalidates it once this call returns.
    const started = performance.now();
    const method = request.method;
    const path = request.path;
    const remote = request.ip;
    const finish = (reply: Reply, error?: unknown): void => {
      const status = reply.status;
      // hyper-express marks a response completed when the client went away before the reply.
      const aborted = response.completed;
      if (!aborted) {
        response.status(status);
        for (const [name, value] of Object.entries(reply.headers ?? {})) response.header(name, value);
        if (podName) response.header('x-pod-name', podName);
        response.json(reply.body);
      }
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const fields = { method, path, status, durationMs, remote, aborted: aborted || undefined };
      if (error === undefined) log.info('request', fields);
      else log.warn('request', { ...fields, error: error instanceof Error ? error.message : String(error) });
    };
    let result: Reply | Promise<Reply>;
    try {
      result = route(store);
    } catch (error) {
      finish(failureReply(error), error);
      return;
    }
    if (result instanceof Promise)
      result.then(
        (reply) => finish(reply),
        (error: unknown) => finish(failureReply(error), error),
      );
    else finish(result);
  };

  const notAllowed: Route = () => ({
    status: 405,
    body: { error: 'method-not-allowed', allow: ALLOWED_METHODS },
    headers: { allow: ALLOWED_METHODS.join(', ') },
  });
  for (const [path, route] of Object.entries(ROUTES)) {
    server.get(path, (request, response) => serve(request, response, route));
    server.head(path, (request, response) => serve(request, response, route));
    server.any(path, (request, response) => serve(request, response, notAllowed));
  }
  server.set_not_found_handler((request, response) =>
    serve(request, response, () => ({ status: 404, body: { error: 'not-found', message: 'no such route' } })),
  );
}
