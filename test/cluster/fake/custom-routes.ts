// The routes of a custom resource served from its CRD (custom-resources.ts) and of Events (events.ts):
// each verb, on the collection or on one object, on the resource or its status subresource, as
// apiextensions-apiserver and the events registry answer it. Watches are served by handler.ts.

import type { FakeCustomResources } from './custom-resources.ts';
import type { FakeEvents } from './events.ts';
import type { Target } from './request.ts';
import * as status from './status.ts';

type Json = Record<string, any>;

function parseBody(body: string): Json {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {}
  throw status.badRequest('the body of the request could not be decoded as a JSON object');
}

/** Answers a request for a custom resource: [code, payload]. */
export function routeCustom(
  store: FakeCustomResources,
  verb: string,
  target: Target,
  url: URL,
  body: string,
  contentType: string,
  version: number,
): [number, unknown] {
  const { namespace, name } = target;
  const subresource = target.resource.includes('/') ? target.resource.split('/')[1] : '';
  if (subresource !== '' && subresource !== 'status') throw status.noSuchResource();
  const fieldValidation = url.searchParams.get('fieldValidation');
  const apiVersion = `${store.crd.group}/${store.crd.version}`;
  if (verb === 'list' && subresource === '') {
    const items = store.list(namespace, url.searchParams.get('labelSelector'));
    return [200, { apiVersion, kind: `${store.crd.kind}List`, metadata: { resourceVersion: String(version) }, items }];
  }
  if (namespace === undefined) throw status.methodNotAllowed(verb);
  if (verb === 'create' && subresource === '') return [201, store.create(namespace, parseBody(body), fieldValidation)];
  if (name === undefined) throw status.methodNotAllowed(verb);
  switch (verb) {
    case 'get':
      return [200, store.get(namespace, name)];
    case 'update':
      return [200, store.update(namespace, name, parseBody(body), subresource as '' | 'status', fieldValidation)];
    case 'patch':
      return [200, store.patch(namespace, name, body, contentType, subresource as '' | 'status')];
    case 'delete':
      if (subresource !== '') throw status.methodNotAllowed(verb);
      return [200, store.delete(namespace, name)];
    default:
      throw status.methodNotAllowed(verb);
  }
}

/** Answers a request for Events (events.k8s.io/v1, or core v1 for reading). */
export function routeEvents(
  events: FakeEvents,
  verb: string,
  target: Target,
  body: string,
  version: number,
): [number, unknown] {
  const metadata = { resourceVersion: String(version) };
  if (target.group === '') {
    if (verb !== 'list') throw status.methodNotAllowed(verb);
    return [200, { apiVersion: 'v1', kind: 'EventList', metadata, items: events.listCore(target.namespace) }];
  }
  if (verb === 'list')
    return [200, { apiVersion: 'events.k8s.io/v1', kind: 'EventList', metadata, items: events.list(target.namespace) }];
  if (verb === 'create' && target.namespace) return [201, events.create(target.namespace, parseBody(body))];
  throw status.methodNotAllowed(verb);
}
