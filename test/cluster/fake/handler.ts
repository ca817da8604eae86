// How the fake API server answers one request, in the API server's order: authentication, discovery
// (open to every authenticated user), authorization (before routing: a path it does not serve is still a
// 403 when RBAC says no), an aggregated API that is down, routing, an expired continue token, the body's
// size, then the test's injected faults around the route itself. Every answer is recorded.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeAuthorizer } from './authorizer.ts';
import { type ExpiringLists, isDiscoveryPath } from './discovery.ts';
import type { FakeFaults } from './faults.ts';
import { actingUser, headerLines } from './impersonation.ts';
import { checkRequestBody } from './object-size.ts';
import { PlainAnswer, serviceUnavailable } from './plain-answers.ts';
import { warningHeader } from './pod-security/admission.ts';
import { parsePath, type Target, verbOf } from './request.ts';
import { route, type Stored } from './routes.ts';
import type { ServedResources } from './served.ts';
import * as status from './status.ts';
import { recordedCode } from './transport-faults.ts';
import { serveWatch, type WatchSource } from './watch-stream.ts';

/** One request as the fake saw it, for assertions. */
export interface SeenRequest {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly contentType: string | undefined;
  readonly code: number;
  /** Milliseconds since the fake started. */
  readonly at: number;
  /** Whom the request impersonated (user, and groups as separate header lines), when it did. */
  readonly impersonated?: { readonly user: string; readonly groups: readonly string[] };
}

/** What of the fake a request goes through. */
export interface Handling {
  readonly url: string;
  readonly token: string;
  readonly user: string;
  /** When the fake started (performance.now()). */
  readonly started: number;
  readonly requests: SeenRequest[];
  readonly authorizer: FakeAuthorizer;
  readonly served: ServedResources;
  /** Groups served by an aggregated API whose backend is not available. */
  readonly unavailable: ReadonlySet<string>;
  readonly expiring: ExpiringLists;
  readonly faults: FakeFaults;
  /** Warnings admission gave while answering the request: drained into `Warning` headers. */
  readonly warnings: string[];
  stored(): Stored;
  /** What a watch of this resource is served from, when the fake serves watches of it (custom resources). */
  watchSource(target: Target): WatchSource | undefined;
}

/** Answers one request. */
export async function handle(server: Handling, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', server.url);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const target = parsePath(url.pathname);
  // Discovery is open to every authenticated user (system:discovery), whatever the RBAC.
  const discoveryPath = req.method === 'GET' && isDiscoveryPath(url.pathname);
  // `?watch=true` (or 1) on a GET makes it a watch (the request-info resolver's `watch` verb).
  const watching = req.method === 'GET' && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  const verb = discoveryPath ? 'get' : watching && !target?.name ? 'watch' : verbOf(req.method ?? 'GET', target?.name);
  const contentType = req.headers['content-type'];
  let impersonated: SeenRequest['impersonated'];
  const record = (code: number): void => {
    server.requests.push({
      ...(impersonated ? { impersonated } : {}),
      verb,
      group: target?.group ?? '',
      resource: discoveryPath ? 'apis' : (target?.resource ?? url.pathname),
      namespace: target?.namespace,
      name: target?.name,
      contentType,
      code,
      at: Math.round(performance.now() - server.started),
    });
  };
  const send = (code: number, payload: unknown, type = 'application/json', headers = {}): void => {
    record(code);
    const warnings = server.warnings.splice(0).map(warningHeader);
    const all: Record<string, string | string[]> = { ...headers, 'content-type': type };
    if (warnings.length > 0) all.warning = warnings;
    res.writeHead(code, all);
    res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  };
  /** A transport-level fault (transport-faults.ts) answers instead, when the test injected one. */
  const answeredRaw = (verb: string, resource: string): boolean => {
    const raw = server.faults.takeRaw(verb, resource);
    if (!raw) return false;
    raw(res, url);
    record(recordedCode(res));
    return true;
  };
  try {
    if (req.headers.authorization !== `Bearer ${server.token}`) throw status.unauthorized();
    // The impersonation filter runs right after authentication, for every path, discovery included.
    const who = actingUser(headerLines(req.headersDistinct), server.authorizer.user, (v, t, u) =>
      server.authorizer.allows(v, t, u),
    );
    impersonated = who.impersonated;
    if (discoveryPath) {
      if (answeredRaw('get', 'apis')) return;
      if (server.unavailable.has(url.pathname.split('/')[2] ?? '')) throw serviceUnavailable();
      send(200, server.served.discovery(url.pathname));
      return;
    }
    if (!target) throw status.noSuchResource();
    // The API server authorizes before it routes: a path it does not serve is still a 403 when RBAC says no.
    if (!server.authorizer.allows(verb, target, who))
      throw status.forbidden(who.name, verb, target.resource, target.group, target.namespace, target.name);
    if (server.unavailable.has(target.group)) throw serviceUnavailable();
    server.served.route(target);
    if (verb === 'list') server.expiring.check(target.resource, url);
    // The handler reads the body only after authentication, authorization and routing.
    checkRequestBody(Buffer.byteLength(body));
    if (answeredRaw(verb, target.resource)) return;
    const late = server.faults.takeDelay(verb, target.resource);
    if (late > 0) await new Promise((resolve) => setTimeout(resolve, late));
    if (verb === 'watch') {
      const source = server.watchSource(target);
      if (!source) throw status.methodNotAllowed('watch');
      server.faults.apply(verb, target.resource, () => undefined);
      serveWatch(source, res, url.searchParams, target.namespace, record);
      return;
    }
    const [code, payload, type] = server.faults.apply(verb, target.resource, () =>
      route(server.stored(), verb, target, url, body, contentType ?? ''),
    );
    send(code, payload, type);
  } catch (error) {
    if (error instanceof PlainAnswer) {
      send(error.code, error.body(), 'text/plain; charset=utf-8', {
        ...error.headers,
        'x-content-type-options': 'nosniff',
      });
      return;
    }
    const failure =
      error instanceof status.StatusError
        ? error
        : new status.StatusError(500, 'InternalError', `fake API server bug: ${(error as Error).stack}`);
    send(failure.code, failure.body());
  }
}
