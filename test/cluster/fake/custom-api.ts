// The fake API server's custom resources (served from their CustomResourceDefinition objects), the
// watches of them, and Events: what a controller of ReachabilityTests talks to. Tests install a CRD,
// read and change the objects as other writers would, and inject the watch faults here.

import { describeCrd, FakeCustomResources } from './custom-resources.ts';
import { FakeEvents } from './events.ts';
import type { WatchSource } from './watch-stream.ts';

type Json = Record<string, any>;

export class FakeCustomApi {
  /** The stores of the installed custom resources, by `group/plural`. */
  readonly stores = new Map<string, FakeCustomResources>();
  /** Events (events.k8s.io/v1, also listed as core v1 Events). */
  readonly events: FakeEvents;
  /** How often a watch that allows bookmarks gets one (the cacher's period is about a minute). */
  bookmarkMs = 60_000;
  readonly #version: () => number;
  readonly #bump: (object: Json) => number;
  readonly #warnings: string[];

  constructor(version: () => number, bump: (object: Json) => number, warnings: string[]) {
    this.#version = version;
    this.#bump = bump;
    this.#warnings = warnings;
    this.events = new FakeEvents(bump);
  }

  /**
   * Serves the custom resource a CustomResourceDefinition object defines (its storage version), e.g.
   * k8s/prober/watch/crd.yaml's ReachabilityTests: objects, status subresource, watch. `served` is the
   * fake's list of what it serves (discovery, routing).
   */
  install(crd: Json, served: (group: string, version: string, resource: string) => void): FakeCustomResources {
    const description = describeCrd(crd);
    const store = new FakeCustomResources(description, this.#version(), this.#bump, this.#warnings);
    this.stores.set(`${description.group}/${description.plural}`, store);
    served(description.group, description.version, description.plural);
    return store;
  }

  /** The objects of an installed custom resource (`reachabilitytests`), to read, change or fault. */
  resources(plural: string): FakeCustomResources {
    const store = [...this.stores.values()].find((s) => s.crd.plural === plural);
    if (!store) throw new Error(`no custom resource ${plural} is installed`);
    return store;
  }

  /** Ends every open watch of a custom resource: cleanly, or (`reset`) by resetting the connection. Returns how many. */
  dropWatches(plural: string, reset = false): number {
    return this.resources(plural).cache.dropAll(reset);
  }

  /** A watch of a custom resource from before now gets 410 Gone (an etcd compaction, a cache that moved on). */
  compact(plural: string): void {
    this.resources(plural).cache.compact(this.#version());
  }

  /** What a watch of `target` is served from, when it is an installed custom resource. */
  watchSource(target: { group: string; resource: string }): WatchSource | undefined {
    const store = this.stores.get(`${target.group}/${target.resource}`);
    if (!store) return undefined;
    return {
      cache: store.cache,
      apiVersion: `${store.crd.group}/${store.crd.version}`,
      kind: store.crd.kind,
      current: () => store.list(undefined),
      now: this.#version,
      bookmarkMs: this.bookmarkMs,
    };
  }
}
