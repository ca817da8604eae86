// Kubernetes API failures turned into one-line messages a person can act on (which RBAC rule is missing, etc.).

import { ClusterError } from './cluster-error.ts';
import { grantHint, KUBE_API_PERMISSIONS, type KubeCall, type Permission, permissionLabel } from './kube-api.ts';
import { IMPERSONATE_HINT } from './rbac-hints.ts';
import {
  answerOf,
  forbiddenCause,
  isStaticPodRefusal,
  notFoundCause,
  podSecurityLevel,
  type ServerAnswer,
  webhookOf,
} from './refusal.ts';

/** What a call was about, for messages: `pods "web-1" in namespace b-apacherr`. */
export interface CallSubject {
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * An answer prober refuses to read further or use (transport.ts, list-pager.ts): larger than its bound,
 * not the shape of a Kubernetes object, or not there within the request's deadline. `transient` says
 * whether asking again may help (a deadline may; the same oversized or malformed answer would come again).
 */
export class UnusableAnswer extends Error {
  readonly transient: boolean;
  /** `TooLarge`, `Malformed` or `Timeout`: how KubeApiError names it. */
  readonly kind: 'TooLarge' | 'Malformed' | 'Timeout';

  constructor(kind: UnusableAnswer['kind'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnusableAnswer';
    this.kind = kind;
    this.transient = kind === 'Timeout';
  }
}

/** A failed KubeApi call. `code` is the HTTP status, undefined when the API server was not reached. */
export class KubeApiError extends ClusterError {
  readonly call: KubeCall;
  readonly code: number | undefined;
  /** The Status `reason` the server gave (`Forbidden`, `NotFound`, `AlreadyExists` …), when it gave one. */
  readonly reason: string | undefined;
  /** The `Retry-After` header in whole seconds (429 from API Priority and Fairness, 503 of a starting API). */
  readonly retryAfterSeconds: number | undefined;
  /** Set when the message says itself whether a retry may help (an unusable answer). */
  readonly #transient: boolean | undefined;

  constructor(
    call: KubeCall,
    code: number | undefined,
    reason: string | undefined,
    message: string,
    options?: ErrorOptions & { readonly retryAfterSeconds?: number | undefined; readonly transient?: boolean },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
    this.call = call;
    this.code = code;
    this.reason = reason;
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.#transient = options?.transient;
  }

  /**
   * True when the object or the request is larger than the cluster stores: etcd's `request is too large`
   * (a 500) or the API server's body limit (413). The same call is refused every time.
   */
  get tooLarge(): boolean {
    return (this.code === 413 || this.code === 500) && /request is too large|entity too large/i.test(this.message);
  }

  /** True when retrying the same call may succeed: throttling, server errors, a dropped connection. */
  get transient(): boolean {
    if (this.#transient !== undefined) return this.#transient;
    if (this.tooLarge) return false;
    return this.code === undefined || this.code === 429 || this.code >= 500;
  }

  /** True when the API server could not be reached or rejected the credentials: nothing else will work. */
  get fatal(): boolean {
    return this.code === undefined || this.code === 401;
  }
}

/** The innermost error message, e.g. `connect ECONNREFUSED 127.0.0.1:6443` inside undici's `fetch failed`. */
function rootCause(error: unknown): string {
  let current: unknown = error;
  let message = current instanceof Error ? current.message : String(current);
  while (current instanceof Error && current.cause !== undefined) {
    current = current.cause;
    if (current instanceof Error && current.message) message = current.message;
  }
  return message;
}

/**
 * Wraps whatever a client-node call threw into a KubeApiError with a one-line message. A 403 names
 * the exact RBAC verb, resource and namespace that is missing, and how to grant it, because that is
 * what the person has to do next.
 */
export function toKubeApiError(
  call: KubeCall,
  subject: CallSubject,
  error: unknown,
  server: string,
  permission: Permission = KUBE_API_PERMISSIONS[call],
): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const where = permission.scope === 'cluster' ? 'cluster-wide' : `in namespace ${subject.namespace ?? '?'}`;
  const code = typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined;
  if (error instanceof UnusableAnswer) {
    return new KubeApiError(call, undefined, error.kind, `${permissionLabel(permission)} ${where}: ${error.message}`, {
      cause: error,
      transient: error.transient,
    });
  }
  if (code === undefined) {
    return new KubeApiError(
      call,
      undefined,
      undefined,
      `cannot reach the Kubernetes API server at ${server}: ${rootCause(error)}`,
      { cause: error },
    );
  }
  const answer = answerOf(code, error);
  const said = answer.message ? `: ${answer.message}` : '';
  const object = `${permission.resource.split('/')[0]}${subject.name ? ` "${subject.name}"` : ''}`;
  const webhook = webhookOf(answer.message);
  const message = ((): string => {
    // A webhook's denial comes with whatever 4xx code it chose (400 when it chose none): it is the webhook's.
    if (webhook !== undefined && code >= 400 && code < 500)
      return `refused by the admission webhook "${webhook}" ${where}, not RBAC${said}`;
    switch (code) {
      case 401:
        return `the Kubernetes API server at ${server} rejected the credentials (401 Unauthorized)${said}`;
      case 403:
        return forbiddenMessage(call, answer, permission, subject, where);
      case 404:
        return notFoundMessage(call, answer, permission, subject, where);
      case 409:
        return `conflict on ${object} ${where}${said}`;
      case 410:
        return `${permissionLabel(permission)} ${where}: the list's continue token expired before its last page (410 Gone: the list took longer than the API server keeps its snapshot)${said}`;
      case 415:
        return `the API server does not accept the request format for ${permissionLabel(permission)} (415)${said}`;
      case 422:
        return isStaticPodRefusal(answer)
          ? `${object} ${where} is a static (mirror) pod, run by its node's kubelet from a file: the API server refuses ephemeral containers in it${said} (pick a source that selects pods of a controller, or use --agent=pod)`
          : `the API server rejected ${object} ${where} as invalid${said}`;
      case 429:
        return `the API server is throttling requests (429${answer.retryAfterSeconds !== undefined ? `, Retry-After ${answer.retryAfterSeconds} s` : ''})${said}`;
      case 503:
        return answer.plain
          ? `${permissionLabel(permission)} ${where} failed with HTTP 503: the API serving it is unavailable (an aggregated API whose backend is not ready)${said}`
          : `${permissionLabel(permission)} ${where} failed with HTTP 503${said}`;
      default:
        return `${permissionLabel(permission)} ${where} failed with HTTP ${code}${said}`;
    }
  })();
  return new KubeApiError(call, code, answer.reason, message, {
    cause: error,
    retryAfterSeconds: answer.retryAfterSeconds,
  });
}

/**
 * A 403 in words: only the RBAC authorizer's refusal is a missing permission; Pod Security and
 * ResourceQuota admission refuse with 403 too, after authorization passed, and granting more RBAC
 * would not help.
 */
function forbiddenMessage(
  call: KubeCall,
  answer: ServerAnswer,
  permission: Permission,
  subject: CallSubject,
  where: string,
): string {
  const said = answer.message ? `: ${answer.message}` : '';
  switch (forbiddenCause(answer.message)) {
    case 'impersonation':
      return `forbidden: --as refused ${where}, before the request was looked at (${IMPERSONATE_HINT})${said}`;
    case 'rbac':
      return `forbidden: missing RBAC permission to ${permissionLabel(permission)} ${where} (${grantHint(permission, subject.namespace)})${said}`;
    case 'pod-security': {
      const level = podSecurityLevel(answer.message) ?? 'its level';
      const why =
        call === 'addEphemeralContainer'
          ? `adding an ephemeral container is checked against the whole pod, so a source pod that does not meet ${level} itself cannot take one; use --agent=pod, whose probe pod meets "restricted"`
          : `the namespace enforces ${level}`;
      return `refused by Pod Security admission, not RBAC (${why}) ${where}${said}`;
    }
    case 'quota':
      return `refused by a ResourceQuota ${where}, not RBAC (the namespace's quota has no room left, or requires requests/limits this pod does not set)${said}`;
    case 'limit-range':
      return `refused by a LimitRange ${where}, not RBAC (the pod's requests or limits are outside what the namespace's LimitRange allows)${said}`;
    default:
      return `refused by an admission check ${where}, not RBAC (a policy or webhook of this cluster)${said}`;
  }
}

/**
 * A 404 in words, as `kubectl debug` tells them apart (refusal.ts): the object gone, or the path not
 * served — for `pods/ephemeralcontainers` that means ephemeral containers are disabled, for discovery a
 * group version the cluster lacks, for a list a group, version or resource it lacks.
 */
function notFoundMessage(
  call: KubeCall,
  answer: ServerAnswer,
  permission: Permission,
  subject: CallSubject,
  where: string,
): string {
  const said = answer.message ? `: ${answer.message}` : '';
  const object = `${permission.resource.split('/')[0]}${subject.name ? ` "${subject.name}"` : ''}`;
  if (notFoundCause(answer, subject.name) === 'object-gone') return `${object} not found ${where}${said}`;
  if (call === 'addEphemeralContainer')
    return `ephemeral containers are disabled in this cluster (the API server does not serve pods/ephemeralcontainers${said}); use --agent=pod`;
  if (permission.grants.includes('discovery'))
    return `the API server does not serve the API group version ${subject.name ?? '?'} (404: the group is not installed, or not at this version)${said}`;
  return `the API server does not serve ${permission.resource}${permission.group ? ` in ${permission.group}` : ''} (404: the group, version or resource is not installed)${said}`;
}
