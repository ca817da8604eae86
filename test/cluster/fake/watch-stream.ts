// Serves one watch request as the API server does (apiserver pkg/endpoints/handlers/watch.go, and the
// cacher's cacheWatcher in pkg/storage/cacher/): a 200 whose body is a stream of JSON events, one a
// line, `{"type":"ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR","object":…}`, until `timeoutSeconds`
// (else the server's own timeout) ends it. A resourceVersion the cache no longer reaches is not an
// HTTP error: the watch starts, sends one ERROR event whose object is a Status 410 Expired, and ends
// (cacher.go: "other errors must fail with a watch event of type ERROR"). With `allowWatchBookmarks`
// a BOOKMARK carrying only the newest resourceVersion comes every bookmark period; with
// `sendInitialEvents=true` (the streaming list) the ADDED events of the stored objects end with a
// BOOKMARK annotated `k8s.io/initial-events-end`.

import type { ServerResponse } from 'node:http';
import { parseSelector } from './selector.ts';
import * as status from './status.ts';
import type { WatchCache, WatchEvent } from './watch-cache.ts';

type Json = Record<string, any>;

/** What a watch is served from. */
export interface WatchSource {
  readonly cache: WatchCache;
  readonly apiVersion: string;
  readonly kind: string;
  /** The objects stored now (for a watch from no resourceVersion, or the initial events). */
  readonly current: () => Json[];
  /** The newest resourceVersion of the whole store. */
  readonly now: () => number;
  /** How often a bookmark is sent to a watch that allows them (the cacher's is about a minute). */
  readonly bookmarkMs: number;
}

/** What kube-apiserver does without `timeoutSeconds`: a timeout from its min-request-timeout (1800 s) up to twice it. */
const DEFAULT_TIMEOUT_S = 1800;

/** Throws the 400 the API server answers for watch parameters it refuses (before any event). */
function checkParameters(query: URLSearchParams): void {
  const rv = query.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw status.badRequest(`invalid resource version: ${rv}`);
  const initial = query.get('sendInitialEvents');
  if (initial !== null) {
    if (query.get('resourceVersionMatch') !== 'NotOlderThan')
      throw status.invalidKind('ListOptions', 'meta.k8s.io', '', [
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ]);
    if (initial === 'true' && query.get('allowWatchBookmarks') !== 'true')
      throw status.invalidKind('ListOptions', 'meta.k8s.io', '', [
        'allowWatchBookmarks: Forbidden: allowWatchBookmarks must be true when sendInitialEvents is true',
      ]);
  }
  const timeout = query.get('timeoutSeconds');
  if (timeout !== null && !/^\d+$/.test(timeout)) throw status.badRequest(`invalid timeoutSeconds: ${timeout}`);
}

/**
 * Serves a watch on `res`; returns once the stream is set up (it ends by itself). `namespace` and the
 * label selector filter the events. `record` is called with the answer's code.
 */
export function serveWatch(
  source: WatchSource,
  res: ServerResponse,
  query: URLSearchParams,
  namespace: string | undefined,
  record: (code: number) => void,
): void {
  checkParameters(query);
  const selector = parseSelector(query.get('labelSelector'));
  const wanted = (object: Json): boolean =>
    (namespace === undefined || object.metadata?.namespace === namespace) && selector(object.metadata?.labels ?? {});
  const current = () => source.current().filter(wanted);
  const initial = query.get('sendInitialEvents');
  const rv = query.get('resourceVersion') ?? '';
  const start =
    initial === 'false' && (rv === '' || rv === '0')
      ? { events: [], from: source.now() }
      : source.cache.start(rv, current, source.now());
  record(200);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: Json): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  if ('expired' in start) {
    write('ERROR', new status.StatusError(410, 'Expired', start.expired).body());
    res.end();
    return;
  }
  const bookmark = (annotations?: Json): void =>
    write('BOOKMARK', {
      kind: source.kind,
      apiVersion: source.apiVersion,
      metadata: { resourceVersion: String(source.now()), ...(annotations ? { annotations } : {}) },
    });
  // As the cacher's watchers do (cache_watcher.go convertToWatchEvent): a change that makes an object
  // match is ADDED to this watch, one that makes it stop matching is DELETED (the old object, at the
  // event's resourceVersion, so a client resuming from it does not go back in time).
  const send = (event: WatchEvent): void => {
    const now = wanted(event.object);
    const before = event.type === 'MODIFIED' && event.previous ? wanted(event.previous) : now;
    if (now && before) write(event.type, event.object);
    else if (now) write('ADDED', event.object);
    else if (before) {
      // The object as it was, at the event's resourceVersion (cache_watcher.go updateResourceVersion).
      const gone: Json = structuredClone(event.previous ?? event.object);
      gone.metadata.resourceVersion = String(event.resourceVersion);
      write('DELETED', gone);
    }
  };
  for (const event of start.events) send(event);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  if (initial === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  const timers: NodeJS.Timeout[] = [];
  const unsubscribe = source.cache.subscribe({
    send,
    drop: (reset) => (reset ? res.destroy() : res.end()),
  });
  const end = (): void => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const seconds = Number(query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_S);
  timers.push(setTimeout(end, seconds * 1000).unref());
  if (bookmarks) timers.push(setInterval(() => bookmark(), source.bookmarkMs).unref());
  res.on('close', end);
}
