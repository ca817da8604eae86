// The events a watch of one resource is served from, as the API server's watch cache keeps them
// (apiserver pkg/storage/cacher/watch_cache.go, cacher.go): a bounded window of ADDED/MODIFIED/DELETED
// events in resourceVersion order. A watch from a resourceVersion the window no longer reaches gets
// 410 Gone, "too old resource version: N (OLDEST)" (getAllEventsSinceLocked: `resourceVersion <
// oldest-1`); one from no resourceVersion, or "0", starts with an ADDED event per object stored now
// (the state at the cache's newest version), then the changes after it.

type Json = Record<string, unknown>;

/** One change, as a watch sends it. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Json;
  /** The object before a MODIFIED change: a filtered watch sends ADDED or DELETED when it starts or stops matching. */
  readonly previous?: Json;
  readonly resourceVersion: number;
}

/** Someone watching: gets each new event, and is told when the watch is dropped. */
export interface Subscriber {
  readonly send: (event: WatchEvent) => void;
  readonly drop: (reset: boolean) => void;
}

/** Where a watch starts: the events to send first, or the 410 the request gets. */
export type WatchStart =
  | { readonly events: readonly WatchEvent[]; readonly from: number }
  | { readonly expired: string };

/** How many events the window keeps by default (the cacher sizes its own from the resource's traffic). */
const CAPACITY = 100;

export class WatchCache {
  readonly #events: WatchEvent[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #capacity: number;
  /**
   * One past the oldest resourceVersion a watch may start from: the cache's start (the list it was
   * initialized from), then one past each event the window let go of, or the compaction point.
   */
  #oldest: number;

  /** A cache initialized at resourceVersion `since` (the fake's version when the resource was installed). */
  constructor(since: number, capacity = CAPACITY) {
    this.#oldest = since + 1;
    this.#capacity = capacity;
  }

  /** Records a change and sends it to every subscriber. */
  publish(event: WatchEvent): void {
    this.#events.push(event);
    while (this.#events.length > this.#capacity) this.#forget();
    for (const subscriber of this.#subscribers) subscriber.send(event);
  }

  /**
   * Forgets every event up to `version`, as a cache that has moved on or
   * an etcd compaction does: a watch from before it gets 410 Gone.
   */
  compact(version: number): void {
    while (this.#events.length > 0 && this.#events[0]!.resourceVersion <= version) this.#forget();
    this.#oldest = Math.max(this.#oldest, version + 1);
  }

  #forget(): void {
    const event = this.#events.shift();
    if (event) this.#oldest = Math.max(this.#oldest, event.resourceVersion + 1);
  }

  /**
   * Where a watch from `resourceVersion` starts. `current` are the objects stored now, `now` the newest
   * resourceVersion; "" and "0" start from them (cacher.go: for "0", "Start at Any", the cache's own state).
   */
  start(resourceVersion: string, current: () => Json[], now: number): WatchStart {
    if (resourceVersion === '' || resourceVersion === '0')
      return { events: current().map((object) => ({ type: 'ADDED', object, resourceVersion: now })), from: now };
    const version = Number(resourceVersion);
    if (version < this.#oldest - 1) return { expired: `too old resource version: ${version} (${this.#oldest - 1})` };
    return { events: this.#events.filter((e) => e.resourceVersion > version), from: version };
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Ends every open watch: cleanly (the server closes the stream), or by resetting the connection. */
  dropAll(reset: boolean): number {
    const all = [...this.#subscribers];
    this.#subscribers.clear();
    for (const subscriber of all) subscriber.drop(reset);
    return all.length;
  }

  /** Open watches. */
  get watching(): number {
    return this.#subscribers.size;
  }
}
