// The fake API server's routes: each verb on each resource prober uses, answered from the objects the
// fake stores, with the list shapes the API server gives (items of built-in lists carry no apiVersion or
// kind; policies are served at the version asked for).

import { page } from './discovery.ts';
import type { FakePods } from './pods.ts';
import type { Target } from './request.ts';
import { parseSelector } from './selector.ts';
import * as status from './status.ts';

type Json = Record<string, unknown>;

/** What the routes read and change. */
export interface Stored {
  readonly pods: FakePods;
  readonly services: ReadonlyMap<string, Json>;
  readonly namespaces: ReadonlyMap<string, Json>;
  readonly nodes: ReadonlyMap<string, Json>;
  readonly policies: readonly Json[];
  /** The resourceVersion of the newest change. */
  readonly version: number;
  endpointSlices(namespace?: string): Json[];
  limitRanges(namespace?: string): Json[];
  pdbs(namespace?: string): Json[];
  kindOf(group: string, resource: string): string | undefined;
}

export const key = (namespace: string | undefined, name: string | undefined): string =>
  `${namespace ?? ''}/${name ?? ''}`;
export const meta = (object: Json): Json => object.metadata as Json;
export const labelsOf = (object: Json): Record<string, string> => (meta(object).labels ?? {}) as Record<string, string>;

/** Answers an authorized request for a served resource: [code, payload, content type]. */
export function route(
  stored: Stored,
  verb: string,
  target: Target,
  url: URL,
  body: string,
  contentType: string,
): [number, unknown, string?] {
  const { namespace, name } = target;
  const pods = stored.pods;
  const selector = parseSelector(url.searchParams.get('labelSelector'));
  // Items of built-in lists carry no apiVersion/kind (only the list does); clients must not rely on them.
  const bare = ({ apiVersion: _a, kind: _k, ...rest }: Json): Json => rest;
  const list = (kind: string, items: Iterable<Json>): [number, Json] => [
    200,
    {
      kind,
      apiVersion: 'v1',
      ...page(url, stored.version, [...items].filter((o) => selector(labelsOf(o))).map(bare)),
    },
  ];
  const inNamespace = (store: ReadonlyMap<string, Json>): Json[] =>
    [...store.values()].filter((o) => namespace === undefined || meta(o).namespace === namespace);
  switch (`${verb} ${target.group}/${target.resource}`) {
    case 'list /pods':
      return list('PodList', pods.all(namespace));
    case 'get /pods':
      return [200, pods.get(namespace, name)];
    case 'create /pods':
      return [201, pods.create(namespace ?? '', body, contentType)];
    case 'delete /pods':
      return [200, pods.delete(namespace, name, gracePeriodOf(url, body))];
    case 'patch /pods/ephemeralcontainers':
      return [200, pods.patchEphemeral(namespace, name, body, contentType)];
    case 'get /pods/log':
      return [200, pods.log(namespace, name, url.searchParams.get('container')), 'text/plain'];
    case 'get /services': {
      const svc = stored.services.get(key(namespace, name));
      if (!svc) throw status.notFound('services', name ?? '');
      return [200, svc];
    }
    case 'list discovery.k8s.io/endpointslices':
      return list('EndpointSliceList', stored.endpointSlices(namespace));
    case 'list policy/poddisruptionbudgets':
      return [
        200,
        {
          kind: 'PodDisruptionBudgetList',
          apiVersion: 'policy/v1',
          ...page(url, stored.version, stored.pdbs(namespace).map(bare)),
        },
      ];
    case 'list /limitranges':
      return list('LimitRangeList', stored.limitRanges(namespace));
    case 'get /nodes': {
      const node = stored.nodes.get(name ?? '');
      if (!node) throw status.notFound('nodes', name ?? '');
      return [200, node];
    }
    case 'list /namespaces':
      return list('NamespaceList', stored.namespaces.values());
    case 'list /nodes':
      // In key order, as etcd returns a range (apiserver pkg/storage/etcd3/store.go GetList): by name.
      return list(
        'NodeList',
        [...stored.nodes.values()].sort((a, b) => String(meta(a).name).localeCompare(String(meta(b).name))),
      );
    case 'list /services':
      return list('ServiceList', inNamespace(stored.services));
    default:
      return listPolicies(stored, verb, target, url, bare);
  }
}

/** The grace period a DELETE asks for: `?gracePeriodSeconds=` or the DeleteOptions body's; undefined when neither. */
function gracePeriodOf(url: URL, body: string): number | undefined {
  const query = url.searchParams.get('gracePeriodSeconds');
  if (query !== null) return Number(query);
  if (!body.trim()) return undefined;
  const options = JSON.parse(body) as { gracePeriodSeconds?: number };
  return typeof options.gracePeriodSeconds === 'number' ? options.gracePeriodSeconds : undefined;
}

/** A list of a policy kind, cluster-wide, served at the requested version as the API server converts a CRD's versions. */
function listPolicies(
  stored: Stored,
  verb: string,
  target: Target,
  url: URL,
  bare: (object: Json) => Json,
): [number, unknown] {
  const kind = stored.kindOf(target.group, target.resource);
  if (verb !== 'list' || !kind || target.namespace !== undefined) throw status.methodNotAllowed(verb);
  const apiVersion = `${target.group}/${target.version}`;
  const matching = stored.policies.filter(
    (p) => p.kind === kind && String(p.apiVersion).split('/')[0] === target.group,
  );
  const items = target.group === 'networking.k8s.io' ? matching.map(bare) : matching.map((p) => ({ ...p, apiVersion }));
  return [200, { apiVersion, kind: `${kind}List`, ...page(url, stored.version, items) }];
}
