// `--as` / `--as-group` as kubectl sends them (client-go transport/round_trippers.go,
// ImpersonatingRoundTripper): one Impersonate-User header and one Impersonate-Group header line per group.

import type { RequestContext } from '@kubernetes/client-node';

/** Whom every request acts as: the API server checks the `impersonate` verb on each before serving it. */
export interface Impersonation {
  readonly user: string;
  /** In the order given; empty: the API server gives the user `system:authenticated`. */
  readonly groups: readonly string[];
}

/**
 * Why `--as`/`--as-group` cannot be sent, or undefined: groups without a user are refused before any
 * request, as kubectl's kubeconfig validation refuses them (client-go clientcmd validation.go,
 * validateAuthInfo: "requesting uid, groups or user-extra … without impersonating a user").
 */
export function impersonationProblem(user: string | undefined, groups: readonly string[]): string | undefined {
  if (user === '') return '--as: the user name is empty';
  if (groups.some((group) => group === '')) return '--as-group: a group name is empty';
  if (groups.length > 0 && user === undefined)
    return '--as-group needs --as: the API server refuses groups without impersonating a user';
  return undefined;
}

/** The global dispatcher undici's fetch uses when a request names none (undici/lib/global.js). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type Dispatch = (options: { headers?: unknown }, handler: unknown) => boolean;
interface Dispatcher {
  dispatch: Dispatch;
}

const IMPERSONATE = /^impersonate-/i;

/**
 * The request's headers with the impersonation of the kubeconfig (client-node sends its `as` as
 * Impersonate-User) replaced by `who`: kubectl's flags win over the kubeconfig's fields. Groups go as
 * an array, which undici writes as one header line each; fetch's Headers would join them into one line,
 * which the API server reads as one group named "a, b".
 */
function withImpersonation(headers: unknown, who: Impersonation): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) kept[String(headers[i])] = headers[i + 1] as string;
  } else if (typeof headers === 'object' && headers !== null) {
    Object.assign(kept, headers);
  }
  for (const name of Object.keys(kept)) if (IMPERSONATE.test(name)) delete kept[name];
  kept['impersonate-user'] = who.user;
  if (who.groups.length > 0) kept['impersonate-group'] = [...who.groups];
  return kept;
}

/** Makes `request` act as `who`: its dispatcher (the kubeconfig's TLS and proxy) wrapped to set the headers. */
export function impersonate(request: RequestContext, who: Impersonation): void {
  const inner = (request.getDispatcher() ?? (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER]) as
    | Dispatcher
    | undefined;
  if (!inner) throw new Error('no HTTP dispatcher to send impersonation headers with');
  // Every other property (close, destroy, isMockActive …) is the inner dispatcher's own.
  const wrapped = Object.create(inner) as Dispatcher;
  wrapped.dispatch = (options, handler) =>
    inner.dispatch({ ...options, headers: withImpersonation(options.headers, who) }, handler);
  request.setDispatcher(wrapped as unknown as Parameters<RequestContext['setDispatcher']>[0]);
}
