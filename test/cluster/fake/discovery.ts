// The fake API server's discovery documents (`/apis`, `/apis/GROUP/VERSION`) and its paging of lists
// (`limit`/`continue`), built from what the fake serves, as the API server builds them.

import { pageNotFound } from './plain-answers.ts';

type Json = Record<string, unknown>;

/** `/apis` or `/apis/GROUP/VERSION`: the paths clients read to learn what a cluster serves. */
export function isDiscoveryPath(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  return parts[0] === 'apis' && (parts.length === 1 || parts.length === 3);
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
  // No handler serves a group version the cluster lacks: the mux's plain-text 404, not a Status.
  if (resources.length === 0) throw pageNotFound();
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
