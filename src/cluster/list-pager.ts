// Cluster-wide lists read a page at a time (`limit`/`continue`), each page parsed once as plain JSON, and
// restarted from the first page when the API server says a continue token expired (410 Gone).

import { ApiException, type Configuration, HttpMethod } from '@kubernetes/client-node';
import { KubeApiError, UnusableAnswer } from './api-error.ts';
import { LIST_PAGE_SIZE, type RawObject } from './kube-api.ts';
import { TRANSPORT_LIMITS } from './transport.ts';

/** One page of a list as the API server sends it. */
export interface ListPage {
  readonly items: RawObject[];
  readonly metadata?: { readonly continue?: string };
}

/** GETs one page of `path` with these query parameters; fails with client-node's ApiException. */
export type PageReader = (path: string, query: Readonly<Record<string, string>>) => Promise<ListPage>;

/** How much of a list prober reads before it stops with an error naming the resource. */
export const LIST_LIMITS = {
  /** Pages of one list: 1,000 full pages are 500,000 objects, past `objects`. */
  pages: 1000,
  /** Pages in a row with no object and a continue token: a server that pages without end. */
  emptyPages: 50,
  /** Objects of one list: the API server's tested scale is 150,000 pods in a cluster. */
  objects: 200_000,
  /** Bytes of one page: the transport's bound for one answer. */
  pageBytes: TRANSPORT_LIMITS.maxAnswerBytes,
  /** The smallest page size asked for after a page was too large (500, 125, 31, 7). */
  minPageSize: 5,
} as const;

const NOT_A_LIST = 'the API server answered something that is not a Kubernetes list';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The page's text as a list, or UnusableAnswer saying what is wrong with its shape. */
function parseList(text: string): ListPage {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    const start = text.trimStart().slice(0, 1);
    throw new UnusableAnswer('Malformed', `${NOT_A_LIST} (${start === '<' ? 'an HTML page' : 'not JSON'})`);
  }
  if (!isObject(list)) throw new UnusableAnswer('Malformed', `${NOT_A_LIST} (not a JSON object)`);
  const { items, metadata } = list;
  if (!Array.isArray(items) || !items.every(isObject))
    throw new UnusableAnswer('Malformed', `${NOT_A_LIST} (its items are not a list of objects)`);
  if (metadata !== undefined && !isObject(metadata))
    throw new UnusableAnswer('Malformed', `${NOT_A_LIST} (its metadata is not an object)`);
  const token = metadata?.continue;
  if (token !== undefined && typeof token !== 'string')
    throw new UnusableAnswer('Malformed', `${NOT_A_LIST} (its continue token is not a string)`);
  return { items, ...(token ? { metadata: { continue: token } } : {}) };
}

/**
 * Reads list pages over client-node's own transport and credentials (the kubeconfig's CA, client
 * certificate, token or exec plugin, proxy; bounded by transport.ts), but parses each page once with
 * JSON.parse: client-node's typed list calls parse the text and then copy every object into model
 * classes, which doubles the work and the garbage for a big cluster's pods, and renames fields of the
 * manifests as written. A page that is not a list is refused here, not met later as a missing field.
 */
export function pageReader(config: Configuration): PageReader {
  return async (path, query) => {
    const request = config.baseServer.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(query)) request.setQueryParam(name, value);
    await config.authMethods.default?.applySecurityAuthentication(request);
    const response = await config.httpApi.send(request).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw new ApiException(response.httpStatusCode, 'Unknown API Status Code!', text, response.headers);
    return parseList(text);
  };
}

/** How many times a list starts over after its continue token expired, before the 410 is an error. */
export const LIST_RESTARTS = 3;

/** True for the API server's 410 Gone of an expired continue token (Status reason `Expired`). */
function isExpired(error: unknown): boolean {
  return error instanceof KubeApiError && error.code === 410;
}

/** True when a page was larger than prober reads (transport.ts): the same page in fewer objects may fit. */
function isTooLarge(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && error.reason === 'TooLarge';
}

/**
 * Every item of a list, `LIST_PAGE_SIZE` a page. `page` reads one page (retried on its own for
 * throttling and server errors) and `keep` trims each item to what prober uses, so a page's text and
 * unused fields are garbage as soon as the page is read. `refuse` turns a bound crossed into the
 * list's error (naming the resource; never retried).
 *
 * The server is not trusted to end the list: a continue token it sends twice, more than
 * `LIST_LIMITS.emptyPages` empty pages in a row, more than `pages` pages or `objects` objects end it with
 * an error. A page larger than the transport reads is asked for again in a quarter of the objects, down
 * to `minPageSize`.
 *
 * When a continue token expires (the list took longer than the server keeps its snapshot, about five
 * minutes with etcd's compaction), the list starts over from the first page, at most `LIST_RESTARTS`
 * times. client-go's pager falls back to one list without `limit` instead; prober does not, because
 * that one answer is the whole cluster in memory at once, which paging is there to avoid, and using
 * the 410's own continue token would mix two snapshots.
 */
export async function readAllPages<T>(
  page: (query: { limit: string; continue?: string }) => Promise<ListPage>,
  refuse: (what: string) => KubeApiError,
  keep: (item: RawObject) => T,
  onRestart?: (error: KubeApiError, restart: number) => void,
): Promise<T[]> {
  for (let restart = 0; ; restart += 1) {
    const out: T[] = [];
    const tokens = new Set<string>();
    let token: string | undefined;
    let size: number = LIST_PAGE_SIZE;
    let pages = 0;
    let empty = 0;
    try {
      for (;;) {
        let list: ListPage;
        try {
          list = await page({ limit: String(size), ...(token ? { continue: token } : {}) });
        } catch (error) {
          if (!isTooLarge(error)) throw error;
          if (size <= LIST_LIMITS.minPageSize)
            throw refuse(
              `a page of at most ${size} objects is larger than ${LIST_LIMITS.pageBytes / 2 ** 20} MiB, prober's bound for one answer`,
            );
          size = Math.max(LIST_LIMITS.minPageSize, Math.floor(size / 4));
          continue;
        }
        pages += 1;
        empty = list.items.length === 0 ? empty + 1 : 0;
        for (const item of list.items) out.push(keep(item));
        token = list.metadata?.continue || undefined;
        if (token === undefined) break;
        if (tokens.has(token))
          throw refuse('the API server sent the same continue token twice, which would page without end');
        tokens.add(token);
        if (out.length > LIST_LIMITS.objects)
          throw refuse(`more than ${LIST_LIMITS.objects} objects, prober's bound for one list`);
        if (empty >= LIST_LIMITS.emptyPages)
          throw refuse(`${empty} pages in a row with no object and a continue token: a list that does not end`);
        if (pages >= LIST_LIMITS.pages)
          throw refuse(`more than ${LIST_LIMITS.pages} pages, prober's bound for one list`);
      }
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
