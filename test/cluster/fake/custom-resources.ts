// A namespaced custom resource served from its CustomResourceDefinition, as apiextensions-apiserver
// serves one: create, get, list, update, patch and delete, and the status subresource, with the
// rules of its strategies (pkg/registry/customresource/strategy.go, status_strategy.go) and of the
// generic store (apiserver pkg/registry/generic/registry/store.go):
// - create clears `status` and sets `metadata.generation` to 1, uid, creationTimestamp;
// - an update of the resource keeps the stored status; one of the status keeps everything but the
//   status; `generation` goes up when anything but metadata changed (a status write changes only status);
// - an update must carry a resourceVersion (AllowUnconditionalUpdate is false: 422), and the stored
//   one (else 409 Conflict, "the object has been modified"); a patch applies to the stored object,
//   with a conflict only when it names an old resourceVersion itself;
// - delete answers a Status Success naming the object;
// - every write is pruned, validated against the schema (openapi.ts), and published to the watch cache.

import { randomBytes } from 'node:crypto';
import jsonMergePatch from 'json-merge-patch';
import { CustomResourceSchema } from './openapi.ts';
import { parseSelector } from './selector.ts';
import * as status from './status.ts';
import { WatchCache } from './watch-cache.ts';

type Json = Record<string, any>;

/** What the fake needs to know of a CRD. */
export interface CrdDescription {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly schema: CustomResourceSchema;
  readonly hasStatus: boolean;
}

/** The served version of a CustomResourceDefinition object (its storage version). */
export function describeCrd(crd: Json): CrdDescription {
  const version = (crd.spec.versions as Json[]).find((v) => v.storage) as Json;
  return {
    group: crd.spec.group,
    version: version.name,
    plural: crd.spec.names.plural,
    kind: crd.spec.names.kind,
    schema: new CustomResourceSchema(version.schema.openAPIV3Schema),
    hasStatus: Boolean(version.subresources?.status),
  };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const iso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const withoutMetadata = ({ metadata: _, ...rest }: Json): Json => rest;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The objects of one custom resource, and its watch cache. */
export class FakeCustomResources {
  readonly crd: CrdDescription;
  readonly cache: WatchCache;
  readonly #objects = new Map<string, Json>();
  readonly #bump: (object: Json) => number;
  /** Warnings for the request being answered (unknown fields dropped), sent as `Warning` headers. */
  readonly #warnings: string[];

  constructor(crd: CrdDescription, since: number, bump: (object: Json) => number, warnings: string[]) {
    this.crd = crd;
    this.cache = new WatchCache(since);
    this.#bump = bump;
    this.#warnings = warnings;
  }

  get #qualified(): string {
    return `${this.crd.plural}.${this.crd.group}`;
  }

  /** The objects stored now, of one namespace or all, matching a label selector. */
  list(namespace: string | undefined, labelSelector: string | null = null): Json[] {
    const selector = parseSelector(labelSelector);
    return [...this.#objects.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .filter((o) => selector(o.metadata.labels ?? {}))
      .map((o) => structuredClone(o));
  }

  get(namespace: string, name: string): Json {
    const object = this.#objects.get(`${namespace}/${name}`);
    if (!object) throw status.notFound(this.#qualified, name);
    return structuredClone(object);
  }

  create(namespace: string, body: Json, fieldValidation: string | null): Json {
    this.#checkIdentity(namespace, body);
    const name = String(body.metadata?.name ?? '');
    if (!name)
      throw status.invalidKind(this.crd.kind, this.crd.group, '', [
        'metadata.name: Required value: name or generateName is required',
      ]);
    // The customresource validator checks names as NameIsDNSSubdomain (customresource/validator.go).
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
      throw status.invalidKind(this.crd.kind, this.crd.group, name, [
        `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      ]);
    if (this.#objects.has(`${namespace}/${name}`)) throw status.alreadyExists(this.#qualified, name);
    const object = structuredClone(body);
    if (this.crd.hasStatus) delete object.status;
    const { labels, annotations } = object.metadata;
    object.metadata = {
      name,
      namespace,
      uid: randomBytes(8).toString('hex'),
      generation: 1,
      creationTimestamp: iso(),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    };
    return this.#store(object, 'ADDED', fieldValidation);
  }

  /** PUT of the resource (`subresource` '') or of its status. */
  update(
    namespace: string,
    name: string,
    body: Json,
    subresource: '' | 'status',
    fieldValidation: string | null,
  ): Json {
    this.#checkIdentity(namespace, body);
    if (body.metadata?.name !== name)
      throw status.badRequest(
        `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`,
      );
    const old = this.get(namespace, name);
    const given = body.metadata?.resourceVersion;
    if (!given)
      throw status.invalidKind(this.crd.kind, this.crd.group, name, [
        'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      ]);
    if (given !== old.metadata.resourceVersion) throw status.conflict(this.#qualified, name);
    return this.#write(old, body, subresource, fieldValidation);
  }

  /** PATCH (a JSON merge patch) of the resource or of its status. */
  patch(namespace: string, name: string, text: string, contentType: string, subresource: '' | 'status'): Json {
    const type = contentType.split(';')[0]?.trim();
    if (type !== 'application/merge-patch+json' && type !== 'application/json-patch+json')
      throw status.unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]);
    if (type === 'application/json-patch+json')
      throw new status.StatusError(
        415,
        'UnsupportedMediaType',
        'the fake API server takes merge patches of custom resources',
      );
    let patch: Json;
    try {
      patch = JSON.parse(text);
    } catch (error) {
      throw status.badRequest(`error decoding patch: ${(error as Error).message}`);
    }
    const old = this.get(namespace, name);
    const wanted = patch.metadata?.resourceVersion;
    if (wanted !== undefined && wanted !== old.metadata.resourceVersion) throw status.conflict(this.#qualified, name);
    const patched = jsonMergePatch.apply(structuredClone(old), patch) as Json;
    return this.#write(old, patched, subresource, null);
  }

  delete(namespace: string, name: string): Json {
    const old = this.get(namespace, name);
    this.#objects.delete(`${namespace}/${name}`);
    const version = this.#bump(old);
    this.cache.publish({ type: 'DELETED', object: structuredClone(old), resourceVersion: version });
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: this.crd.group, kind: this.crd.plural, uid: old.metadata.uid },
    };
  }

  /** Changes an object as another writer would (the next write with the old resourceVersion conflicts). */
  touch(namespace: string, name: string, change: (object: Json) => void): Json {
    const old = this.get(namespace, name);
    const next = structuredClone(old);
    change(next);
    return this.#write(old, next, '', null);
  }

  #write(old: Json, body: Json, subresource: '' | 'status', fieldValidation: string | null): Json {
    let next: Json;
    if (subresource === 'status') {
      if (!this.crd.hasStatus) throw status.noSuchResource();
      next = structuredClone(old);
      if (body.status === undefined) delete next.status;
      else next.status = structuredClone(body.status);
    } else {
      next = { ...structuredClone(body), metadata: { ...old.metadata } };
      for (const key of ['labels', 'annotations'] as const)
        if (body.metadata?.[key]) next.metadata[key] = structuredClone(body.metadata[key]);
        else delete next.metadata[key];
      if (this.crd.hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
    }
    if (!same(withoutMetadata(next), withoutMetadata(old))) next.metadata.generation = old.metadata.generation + 1;
    if (subresource === 'status') next.metadata.generation = old.metadata.generation;
    return this.#store(next, 'MODIFIED', fieldValidation, old);
  }

  /** Prunes, validates, stores and publishes an object; answers it as stored. */
  #store(object: Json, type: 'ADDED' | 'MODIFIED', fieldValidation: string | null, previous?: Json): Json {
    object.apiVersion = `${this.crd.group}/${this.crd.version}`;
    object.kind = this.crd.kind;
    const dropped = this.crd.schema.prune(object);
    if (dropped.length > 0 && fieldValidation === 'Strict')
      throw status.badRequest(`strict decoding error: ${dropped.map((f) => `unknown field "${f}"`).join(', ')}`);
    if (fieldValidation !== 'Ignore') this.#warnings.push(...dropped.map((f) => `unknown field "${f}"`));
    const errors = this.crd.schema.errors(object);
    if (errors.length > 0) throw status.invalidKind(this.crd.kind, this.crd.group, object.metadata.name, errors);
    const version = this.#bump(object);
    this.#objects.set(`${object.metadata.namespace}/${object.metadata.name}`, object);
    this.cache.publish({
      type,
      object: structuredClone(object),
      resourceVersion: version,
      ...(previous ? { previous } : {}),
    });
    return structuredClone(object);
  }

  /** The body's apiVersion, kind and namespace must be those of the request (the API server's decoding and rest.go). */
  #checkIdentity(namespace: string, body: Json): void {
    const apiVersion = `${this.crd.group}/${this.crd.version}`;
    if (body.apiVersion !== apiVersion || body.kind !== this.crd.kind)
      throw status.badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersion})`,
      );
    const given = body.metadata?.namespace;
    if (given !== undefined && given !== namespace)
      throw status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}
