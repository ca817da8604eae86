// How the fake API server reads a request path and method: API group, version, namespace, resource
// (with its subresource), name and verb, as the API server's request-info resolver does.

/** Where a request points: `/api/v1/namespaces/ns/pods/name/log` → group "", resource pods/log … */
export interface Target {
  readonly group: string;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly resource: string;
  readonly name: string | undefined;
}

/** The target of a path, or undefined for a path outside `/api/v1` and `/apis/GROUP/VERSION`. */
export function parsePath(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [group, version, rest] = ['', 'v1', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length > 3)
    [group, version, rest] = [String(parts[1]), String(parts[2]), parts.slice(3)];
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, resource = '', name, sub] = rest;
    return { group, version, namespace, resource: sub ? `${resource}/${sub}` : resource, name };
  }
  return { group, version, namespace: undefined, resource: rest[0] ?? '', name: rest[1] };
}

/** The RBAC verb of a request: GET of a name is `get`, of a collection `list`, and so on. */
export function verbOf(method: string, name: string | undefined): string {
  switch (method) {
    case 'GET':
      return name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PATCH':
      return 'patch';
    case 'PUT':
      return 'update';
    case 'DELETE':
      return name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
