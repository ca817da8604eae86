// Kubernetes API failures turned into one-line messages a person can act on (which RBAC rule is missing, etc.).

import { grantHint, KUBE_API_PERMISSIONS, permissionLabel, type KubeCall, type Permission } from './kube-api.ts';

/** What a call was about, for messages: `pods "web-1" in namespace b-apacherr`. */
export interface CallSubject {
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * prober could not reach the cluster, or the API server refused or failed a call. The message is the
 * whole story in one line (the cause is detail for PROBER_DEBUG). This module loads no Kubernetes
 * client code, so the CLI matches the class without paying for client-node.
 */
export class ClusterError extends Error {}

/** A failed KubeApi call. `code` is the HTTP status, undefined when the API server was not reached. */
export class KubeApiError extends ClusterError {
  readonly call: KubeCall;
  readonly code: number | undefined;
  /** The Status `reason` the server gave (`Forbidden`, `NotFound`, `AlreadyExists` …), when it gave one. */
  readonly reason: string | undefined;

  constructor(
    call: KubeCall,
    code: number | undefined,
    reason: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubeApiError';
    this.call = call;
    this.code = code;
    this.reason = reason;
  }

  /** True when retrying the same call may succeed: throttling, server errors, a dropped connection. */
  get transient(): boolean {
    return this.code === undefined || this.code === 429 || this.code >= 500;
  }

  /** True when the API server could not be reached or rejected the credentials: nothing else will work. */
  get fatal(): boolean {
    return this.code === undefined || this.code === 401;
  }
}

/** The parts of a Kubernetes `Status` body prober uses. */
interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
}

function statusOf(body: unknown): StatusBody {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.trim().slice(0, 300) };
    }
  }
  if (!value || typeof value !== 'object') return {};
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record.message === 'string' ? { message: record.message } : {}),
    ...(typeof record.reason === 'string' ? { reason: record.reason } : {}),
  };
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
  if (code === undefined) {
    return new KubeApiError(
      call,
      undefined,
      undefined,
      `cannot reach the Kubernetes API server at ${server}: ${rootCause(error)}`,
      { cause: error },
    );
  }
  const status = statusOf((error as { body?: unknown }).body);
  const said = status.message ? `: ${status.message}` : '';
  const object = `${permission.resource.split('/')[0]}${subject.name ? ` "${subject.name}"` : ''}`;
  const message = ((): string => {
    switch (code) {
      case 401:
        return `the Kubernetes API server at ${server} rejected the credentials (401 Unauthorized)${said}`;
      case 403:
        return `forbidden: missing RBAC permission to ${permissionLabel(permission)} ${where} (${grantHint(permission, subject.namespace)})${said}`;
      case 404:
        return `${object} not found ${where}${said}`;
      case 409:
        return `conflict on ${object} ${where}${said}`;
      case 415:
        return `the API server does not accept the request format for ${permissionLabel(permission)} (415)${said}`;
      case 422:
        return `the API server rejected ${object} ${where} as invalid${said}`;
      case 429:
        return `the API server is throttling requests (429)${said}`;
      default:
        return `${permissionLabel(permission)} ${where} failed with HTTP ${code}${said}`;
    }
  })();
  return new KubeApiError(call, code, status.reason, message, { cause: error });
}
