// Cluster-wide lists read a page at a time (`limit`/`continue`), each page parsed once as plain JSON, and
// restarted from the first page when the API server says a continue token expired (410 Gone).

import {
  ApiException,
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { KubeApiError } from './api-error.ts';
import { LIST_PAGE_SIZE, type RawObject } from './kube-api.ts';

/** One page of a list as the API server sends it. */
export interface ListPage {
  readonly items: RawObject[];
  readonly metadata?: { readonly continue?: string };
}

/** GETs one page of `path` with these query parameters; fails with client-node's ApiException. */
export type PageReader = (path: string, query: Readonly<Record<string, string>>) => Promise<ListPage>;

/**
 * Reads list pages over client-node's own transport and credentials (the kubeconfig's CA, client
 * certificate, token or exec plugin, proxy), but parses each page once with JSON.parse: client-node's
 * typed list calls parse the text and then copy every object into model classes, which doubles the work
 * and the garbage for a big cluster's pods, and renames fields of the manifests as written.
 */
export function pageReader(kubeConfig: KubeConfig): PageReader {
  const server = new ServerConfiguration(kubeConfig.getCurrentCluster()?.server ?? '', {});
  const config = createConfiguration({ baseServer: server, authMethods: { default: kubeConfig } });
  return async (path, query) => {
    const request = server.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(query)) request.setQueryParam(name, value);
    await config.authMethods.default?.applySecurityAuthentication(request);
    const response = await config.httpApi.send(request).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw new ApiException(response.httpStatusCode, 'Unknown API Status Code!', text, response.headers);
    const list = JSON.parse(text) as { items?: RawObject[]; metadata?: { continue?: string } };
    return { items: list.items ?? [], ...(list.metadata ? { metadata: list.metadata } : {}) };
  };
}

/** How many times a list starts over after its continue token expired, before the 410 is an error. */
export const LIST_RESTARTS = 3;

/** True for the API server's 410 Gone of an expired continue token (Status reason `Expired`). */
function isExpired(error: unknown): boolean {
  return error instanceof KubeApiError && error.code === 410;
}

/**
 * Every item of a list, `LIST_PAGE_SIZE` a page. `page` reads one page (retried on its own for
 * throttling and server errors) and `keep` trims each item to what prober uses, so a page's text and
 * unused fields are garbage as soon as the page is read.
 *
 * When a continue token expires (the list took longer than the server keeps its snapshot, about five
 * minutes with etcd's compaction), the list starts over from the first page, at most `LIST_RESTARTS`
 * times. client-go's pager falls back to one list without `limit` instead; prober does not, because
 * that one answer is the whole cluster in memory at once, which paging is there to avoid, and using
 * the 410's own continue token would mix two snapshots.
 */
export async function readAllPages<T>(
  page: (query: { limit: string; continue?: string }) => Promise<ListPage>,
  keep: (item: RawObject) => T,
  onRestart?: (error: KubeApiError, restart: number) => void,
): Promise<T[]> {
  for (let restart = 0; ; restart += 1) {
    const out: T[] = [];
    let token: string | undefined;
    try {
      do {
        const list = await page({ limit: String(LIST_PAGE_SIZE), ...(token ? { continue: token } : {}) });
        for (const item of list.items) out.push(keep(item));
        token = list.metadata?.continue || undefined;
      } while (token);
      return out;
    } catch (error) {
      // A 410 on the first page is not an expired token (none was sent): it is the server's to explain.
      if (!isExpired(error) || token === undefined || restart >= LIST_RESTARTS) throw error;
      onRestart?.(error as KubeApiError, restart + 1);
    }
  }
}

/** An object without `metadata.managedFields`: often the largest part of a live object, and never modelled. */
export function withoutManagedFields(item: RawObject): RawObject {
  const metadata = item.metadata as Record<string, unknown> | undefined;
  if (!metadata || !('managedFields' in metadata)) return item;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...item, metadata: rest };
}
