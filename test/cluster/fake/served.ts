// What the fake API server serves: the built-in resources every cluster has, and the CRDs a test installs
// (at one version each, with the kind their objects carry). A path outside them is answered as a current
// API server answers it: a Status NotFound naming no object, "the server could not find the requested
// resource" (apiserver pkg/util/notfoundhandler for a group/version it does not serve, the group's own
// handler for a resource it does not know). Older servers sent a plain `404 page not found` for the
// first; tests that mimic one answer it with plain-answers.ts's pageNotFound.

import { kindDescriptor, POLICY_KIND_NAMES } from '../../../src/policy/kinds.ts';
import { discovery } from './discovery.ts';
import type { Target } from './request.ts';
import * as status from './status.ts';

/** Built-in resources every cluster serves (group/version/resource); CRD kinds are added with `install`. */
const BUILT_IN = [
  '/v1/pods',
  '/v1/services',
  '/v1/namespaces',
  '/v1/limitranges',
  '/v1/nodes',
  '/v1/events',
  'events.k8s.io/v1/events',
  'discovery.k8s.io/v1/endpointslices',
  'policy/v1/poddisruptionbudgets',
  // Policy kinds every cluster serves (NetworkPolicy), at each version the descriptor names.
  ...POLICY_KIND_NAMES.map(kindDescriptor)
    .filter((d) => d.builtIn)
    .flatMap((d) => d.versions.map((version) => `${d.group}/${version}/${d.plural}`)),
];

/** Kind of each evaluated policy resource (`group/resource`), from the kinds' descriptors, for stored objects. */
const POLICY_KINDS: ReadonlyMap<string, string> = new Map(
  POLICY_KIND_NAMES.map((kind) => [`${kindDescriptor(kind).group}/${kindDescriptor(kind).plural}`, kind]),
);

/** The resources the fake serves. */
export class ServedResources {
  readonly #served = new Set(BUILT_IN);
  /** Kinds of CRD resources installed with a kind of their own (`group/resource` → kind). */
  readonly #crdKinds = new Map<string, string>();

  /** Serves a CRD's resource at one version; `kind` names a kind prober does not list for `run`. */
  install(group: string, version: string, resource: string, kind?: string): void {
    this.#served.add(`${group}/${version}/${resource}`);
    if (kind) this.#crdKinds.set(`${group}/${resource}`, kind);
  }

  /** The kind of the objects of a policy resource, if it is one. */
  kindOf(group: string, resource: string): string | undefined {
    return this.#crdKinds.get(`${group}/${resource}`) ?? POLICY_KINDS.get(`${group}/${resource}`);
  }

  /** Throws what the API server answers for a request it does not route to a resource it serves. */
  route(target: Target): void {
    if (![...this.#served].some((s) => s.startsWith(`${target.group}/${target.version}/`)))
      throw status.noSuchResource();
    if (!this.#served.has(`${target.group}/${target.version}/${target.resource.split('/')[0]}`))
      throw status.noSuchResource();
  }

  /** The discovery document at `path` (/api, /apis, /apis/GROUP/VERSION …). */
  discovery(path: string): unknown {
    return discovery(path, this.#served, (group, resource) => this.kindOf(group, resource));
  }
}
