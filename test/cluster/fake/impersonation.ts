// Impersonation as the API server's filter does it (staging/src/k8s.io/apiserver/pkg/endpoints/filters/
// impersonation.go, WithImpersonation and buildImpersonationRequests): every Impersonate-* header is one
// request to act as someone, each needs the `impersonate` verb on what it names, and then the request
// is authorized as the impersonated user, never as the one who sent it.

import type { UserInfo } from './rbac.ts';
import type { Target } from './request.ts';
import { forbidden, StatusError } from './status.ts';

/** Whom the request acts as, and the Impersonate-* header lines as they arrived (one per group). */
export interface Acting extends UserInfo {
  /** Undefined when the request carried no impersonation header. */
  readonly impersonated?: { readonly user: string; readonly groups: readonly string[] };
}

/** What the authorizer is asked for one impersonation request. */
type Ask = (verb: string, target: Target, user: UserInfo) => boolean;

const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * The user a request acts as. Without Impersonate-* headers, the authenticated user; with them, each
 * header line is authorized (`impersonate` on users, groups, serviceaccounts, uids, userextras) for
 * the authenticated user, a refusal is the 403 upstream writes, and groups, uid or extras without a
 * user are refused before anything is authorized (500, as upstream's buildImpersonationRequests error).
 */
export function actingUser(headers: Record<string, string[] | undefined>, requestor: UserInfo, ask: Ask): Acting {
  const users = headers['impersonate-user'] ?? [];
  const groups = headers['impersonate-group'] ?? [];
  const uids = headers['impersonate-uid'] ?? [];
  const extras = Object.entries(headers).filter(([name]) => name.startsWith('impersonate-extra-'));
  if (users.length === 0 && groups.length === 0 && uids.length === 0 && extras.length === 0) return requestor;
  const user = users[0] ?? '';
  if (user === '')
    throw new StatusError(500, 'InternalError', 'requested groups, uid or extras without impersonating a user');
  const check = (group: string, resource: string, name: string, namespace?: string): void => {
    const target: Target = { group, version: 'v1', resource, name, namespace };
    if (!ask('impersonate', target, requestor))
      throw forbidden(requestor.name, 'impersonate', resource, group, namespace, name);
  };
  const account = SERVICE_ACCOUNT.exec(user);
  if (account) check('', 'serviceaccounts', account[2] ?? '', account[1]);
  else check('', 'users', user);
  for (const group of groups) check('', 'groups', group);
  for (const uid of uids) check('authentication.k8s.io', 'uids', uid);
  for (const [name, values] of extras)
    for (const value of values ?? []) check('authentication.k8s.io', `userextras/${name.slice(18)}`, value);
  // Groups given are the authority; a service account without them gets its fixed groups. Every
  // impersonated user but the anonymous one is also system:authenticated.
  const given =
    groups.length > 0 ? [...groups] : account ? ['system:serviceaccounts', `system:serviceaccounts:${account[1]}`] : [];
  const all =
    user !== 'system:anonymous' && !given.includes('system:authenticated') ? [...given, 'system:authenticated'] : given;
  return { name: user, groups: all, impersonated: { user, groups: [...groups] } };
}

/** The request's headers as separate lines: Node joins repeated headers with ", ", the API server does not. */
export function headerLines(distinct: NodeJS.Dict<string[]>): Record<string, string[] | undefined> {
  const lines: Record<string, string[] | undefined> = {};
  for (const [name, values] of Object.entries(distinct)) lines[name.toLowerCase()] = values;
  return lines;
}
