// What an API server's error answer says, read as a real server sends it: a `Status` body (reason, message,
// details) or a plain-text body (`404 page not found` of an unserved group, `Too many requests, please
// try again later.` of API Priority and Fairness, `service unavailable` of an aggregated API not ready),
// and the `Retry-After` header. And which of the several things a 403 can mean it is.

/** One error answer of the API server, as prober reads it. */
export interface ServerAnswer {
  readonly code: number;
  /** The Status message, or the plain-text body trimmed. */
  readonly message: string | undefined;
  /** The Status reason (`Forbidden`, `NotFound`, `Expired` …); none for a plain-text answer. */
  readonly reason: string | undefined;
  /** The Status details: which object (`kind` is the resource, e.g. `pods`) the answer is about. */
  readonly details: { readonly kind?: string; readonly name?: string } | undefined;
  /** True when the body was not a `Status` (plain text from a filter in front of the API's handlers). */
  readonly plain: boolean;
  /** `Retry-After` in whole seconds, as client-go reads it (an integer; an HTTP date is ignored). */
  readonly retryAfterSeconds: number | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads a client-node ApiException (`code`, `body`, `headers`) the way client-go reads a response. */
export function answerOf(code: number, error: unknown): ServerAnswer {
  const { body, headers } = error as { body?: unknown; headers?: Record<string, string> };
  const header = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const retryAfterSeconds = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      value = undefined;
    }
  }
  const record = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  if (record?.kind !== 'Status') {
    const plain = typeof body === 'string' ? body.trim().slice(0, 300) : undefined;
    return {
      code,
      message: plain || text(record?.message),
      reason: text(record?.reason),
      details: undefined,
      plain: record === undefined,
      retryAfterSeconds,
    };
  }
  const details =
    record.details && typeof record.details === 'object' ? (record.details as Record<string, unknown>) : {};
  return {
    code,
    message: text(record.message),
    reason: text(record.reason),
    details: detailsOf(text(details.kind), text(details.name)),
    plain: false,
    retryAfterSeconds,
  };
}

/**
 * Why a 403 was given. The RBAC authorizer's message names the user and the verb (`User "…" cannot
 * patch resource "pods/ephemeralcontainers" …`); admission plugins answer 403 too, after authorization
 * passed: Pod Security (`violates PodSecurity "restricted:latest": …`), ResourceQuota (`exceeded
 * quota: …`, `failed quota: …`), LimitRanger (`maximum memory usage per Container is …`, `minimum …`,
 * `… max limit to request ratio per …`). Any other 403 is some other admission check. A webhook's denial,
 * whatever its code, is told apart before this (webhookOf, in toKubeApiError).
 */
export type ForbiddenCause = 'impersonation' | 'rbac' | 'pod-security' | 'quota' | 'limit-range' | 'admission';

export function forbiddenCause(message: string | undefined): ForbiddenCause {
  if (message === undefined) return 'rbac';
  // The impersonation filter's refusal (`--as`): the request itself was never authorized.
  if (/\bUser "[^"]*" cannot impersonate resource /.test(message)) return 'impersonation';
  if (/\bUser "[^"]*" cannot [a-z*]+ /.test(message)) return 'rbac';
  if (/\bviolates PodSecurity "/.test(message)) return 'pod-security';
  if (/\b(exceeded quota|failed quota): /.test(message)) return 'quota';
  if (
    /\b(maximum|minimum) [\w./-]+ usage per (Container|Pod|PersistentVolumeClaim) is |max limit to request ratio per /.test(
      message,
    )
  )
    return 'limit-range';
  return 'admission';
}

/**
 * The webhook a refusal names (`admission webhook "NAME" denied the request`): upstream's ToStatusErr
 * gives it the webhook's own code when that is 400 or more, else 400, so a webhook's denial comes with
 * any 4xx code, most often 400 or 403.
 */
export function webhookOf(message: string | undefined): string | undefined {
  return /\badmission webhook "([^"]+)" denied the request\b/.exec(message ?? '')?.[1];
}

/** The Pod Security level a refusal names (`restricted:latest`), when it names one. */
export function podSecurityLevel(message: string | undefined): string | undefined {
  return /violates PodSecurity "([^"]+)"/.exec(message ?? '')?.[1];
}

/**
 * Why a 404 was given, as `kubectl debug` tells them apart: a NotFound about an object (its details
 * name it, or its message says `pods "NAME" not found` for the object asked for) means that object is
 * gone; anything else means the path is not served: the plain-text `404 page not found` of an older API
 * server, or on a current one (apiserver pkg/util/notfoundhandler) a NotFound Status naming no object,
 * "the server could not find the requested resource" — an API group, version, resource or subresource
 * the cluster does not have (for `pods/ephemeralcontainers`: ephemeral containers are disabled).
 */
export type NotFoundCause = 'object-gone' | 'unserved';

export function notFoundCause(answer: ServerAnswer, name?: string): NotFoundCause {
  if (answer.plain) return 'unserved';
  if (answer.details?.name) return 'object-gone';
  return name && (answer.message ?? '').includes(`"${name}" not found`) ? 'object-gone' : 'unserved';
}

/** True when a 422 is the API server's refusal to add an ephemeral container to a static (mirror) pod. */
export function isStaticPodRefusal(answer: ServerAnswer): boolean {
  return answer.code === 422 && /static pods do not support ephemeral containers/.test(answer.message ?? '');
}

/** The kind and name a Status's details give, each only when it is there. */
function detailsOf(
  kind: string | undefined,
  name: string | undefined,
): { readonly kind?: string; readonly name?: string } {
  return { ...(kind ? { kind } : {}), ...(name ? { name } : {}) };
}
