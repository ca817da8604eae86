// Kubernetes `Status` error bodies, shaped as the API server sends them (reason names and codes from apimachinery).

/** A failure the fake answers with: HTTP code plus the Status body. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: { name?: string; group?: string; kind?: string } | undefined;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: { name?: string; group?: string; kind?: string },
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The JSON body, as `metav1.Status`. */
  body(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods "web-1" not found`. */
export function notFound(kind: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${kind} "${name}" not found`, { name, kind });
}

/** The 404 for a path the server does not serve at all. */
export function noSuchResource(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

export function alreadyExists(kind: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${kind} "${name}" already exists`, { name, kind });
}

/** 422 with the field errors joined as the API server does. */
export function invalid(kind: string, name: string, causes: readonly string[]): StatusError {
  const shownKind = kind.charAt(0).toUpperCase() + kind.slice(1, -1);
  return new StatusError(
    422,
    'Invalid',
    `${shownKind} "${name}" is invalid: ${causes.length > 1 ? `[${causes.join(', ')}]` : causes[0]}`,
    { name, kind },
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unsupportedMediaType(accepted: readonly string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function methodNotAllowed(method: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** The 403 an RBAC denial gives, naming user, verb, resource, group and namespace like the authorizer does. */
export function forbidden(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace: string | undefined,
  name: string | undefined,
): StatusError {
  const [base] = resource.split('/');
  const what = `${group ? `${base}.${group}` : base}${name ? ` "${name}"` : ''}`;
  const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  return new StatusError(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}"${scope}`,
    {
      ...(name ? { name } : {}),
      ...(group ? { group } : {}),
      kind: base ?? resource,
    },
  );
}

/** A 5xx as an overloaded or restarting API server answers. */
export function serverError(code: number, message?: string): StatusError {
  const reason = code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : 'InternalError';
  return new StatusError(
    code,
    reason,
    message ??
      (code === 500
        ? 'Internal error occurred: etcdserver: request timed out'
        : `the server is currently unable to handle the request (${code})`),
  );
}

/**
 * 409 Conflict for a write with a stale resourceVersion (apimachinery errors.NewConflict with the
 * registry's OptimisticLockErrorMsg): `Operation cannot be fulfilled on reachabilitytests.prober.dev "x": …`.
 */
export function conflict(qualifiedResource: string, name: string): StatusError {
  const [resource = '', ...group] = qualifiedResource.split('.');
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group.join('.'), kind: resource },
  );
}

/** 422 for an object of a kind in a group (errors.NewInvalid with a GroupKind): `ReachabilityTest.prober.dev "x" is invalid: …`. */
export function invalidKind(kind: string, group: string, name: string, causes: readonly string[]): StatusError {
  return new StatusError(
    422,
    'Invalid',
    `${kind}.${group} "${name}" is invalid: ${causes.length > 1 ? `[${causes.join(', ')}]` : causes[0]}`,
    { name, group, kind },
  );
}
