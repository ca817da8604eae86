// The fake API server's discovery documents (`/apis`, `/apis/GROUP/VERSION`) and its paging of lists
// (`limit`/`continue`), built from what the fake serves, as the API server builds them.

import * as status from './status.ts';

type Json = Record<string, unknown>;

/** `/api`, `/api/v1`, `/apis` or `/apis/GROUP/VERSION`: the paths clients read to learn what a cluster serves. */
export function isDiscoveryPath(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api') return parts.length <= 2;
  return parts[0] === 'apis' && (parts.length === 1 || parts.length === 3);
}

/** Kinds of the core resources the fake serves, and whether they live in a namespace. */
const CORE: Readonly<Record<string, { kind: string; namespaced: boolean }>> = {
  pods: { kind: 'Pod', namespaced: true },
  services: { kind: 'Service', namespaced: true },
  namespaces: { kind: 'Namespace', namespaced: false },
  events: { kind: 'Event', namespaced: true },
};

/**
 * The legacy core group as kubectl reads it before it maps a kind (`kubectl run --dry-run=client` with
 * `--overrides`): `/api` is an APIVersions, `/api/v1` an APIResourceList of the core resources served.
 */
function coreDiscovery(parts: readonly string[], served: ReadonlySet<string>): Json {
  if (parts.length === 1)
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    };
  if (parts[1] !== 'v1') throw status.noSuchResource();
  const resources = [...served]
    .map((s) => s.split('/'))
    .filter(([group, version]) => group === '' && version === 'v1')
    .map(([, , name = '']) => ({
      name,
      singularName: (CORE[name]?.kind ?? name).toLowerCase(),
      namespaced: CORE[name]?.namespaced ?? true,
      kind: CORE[name]?.kind ?? 'Unknown',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    }));
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}

/**
 * The APIGroupList or APIResourceList for a discovery path, from the served `group/version/resource`
 * entries (the core group, served at `/api`, is left out); a group version not served is a 404.
 */
export function discovery(
  path: string,
  served: ReadonlySet<string>,
  kindOf: (group: string, resource: string) => string | undefined,
): Json {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api') return coreDiscovery(parts, served);
  const entries = [...served].map((s) => s.split('/')).filter(([group]) => group !== '');
  if (parts.length === 1) {
    const groups = [...new Set(entries.map(([group]) => group!))].map((name) => {
      const versions = [...new Set(entries.filter(([g]) => g === name).map(([, v]) => v!))].map((version) => ({
        groupVersion: `${name}/${version}`,
        version,
      }));
      return { name, versions, preferredVersion: versions[0] };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const [, group = '', version = ''] = parts;
  const resources = entries
    .filter(([g, v]) => g === group && v === version)
    .map(([, , name = '']) => ({
      name,
      singularName: '',
      namespaced: !name.startsWith('cluster') && !name.includes('admin') && !name.startsWith('global'),
      kind: kindOf(group, name) ?? 'Unknown',
      verbs: ['get', 'list', 'watch'],
    }));
  // No handler serves a group version the cluster lacks: the NotFound handler's Status (notfoundhandler.go).
  if (resources.length === 0) throw status.noSuchResource();
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}

/**
 * One page of a list: all of it without `limit`; else `limit` items from the offset in `continue`,
 * with the next offset in `metadata.continue` while items remain.
 */
export function page(url: URL, version: number, items: Json[]): { metadata: Json; items: Json[] } {
  const limit = Number(url.searchParams.get('limit') ?? 0);
  const from = Number(url.searchParams.get('continue') ?? 0);
  const metadata: Json = { resourceVersion: String(version) };
  if (!(limit > 0)) return { metadata, items };
  if (from + limit < items.length) metadata.continue = String(from + limit);
  return { metadata, items: items.slice(from, from + limit) };
}

// The 410 Gone a real API server answers to a continue token whose snapshot etcd has compacted away
// (apiserver pkg/storage/etcd3/store.go; apimachinery pkg/api/errors NewResourceExpired): reason
// `Expired`, the message below word for word, and in the Status's list metadata a fresh continue token
// for a client that accepts an inconsistent remainder.

/** What etcd3's store says when a continue token is too old. */
export const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** The 410 for an expired token; `next` is the token for the (inconsistent) remainder. */
export class ContinueExpired extends status.StatusError {
  readonly #next: string;

  constructor(next: string) {
    super(410, 'Expired', CONTINUE_EXPIRED);
    this.#next = next;
  }

  override body(): Record<string, unknown> {
    return { ...super.body(), metadata: { continue: this.#next } };
  }
}

/** Which lists expire their continue tokens, and how many more times (set by tests). */
export class ExpiringLists {
  readonly #left = new Map<string, number>();

  /** The next `times` requests of `resource` that carry a continue token get 410 Gone. */
  expire(resource: string, times: number): void {
    this.#left.set(resource, (this.#left.get(resource) ?? 0) + times);
  }

  /** Throws the 410 when this request's continue token is to expire. */
  check(resource: string, url: URL): void {
    const token = url.searchParams.get('continue');
    const left = this.#left.get(resource) ?? 0;
    if (!token || left <= 0) return;
    this.#left.set(resource, left - 1);
    throw new ContinueExpired(token);
  }
}
