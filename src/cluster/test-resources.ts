// ReachabilityTest resources through @kubernetes/client-node, for the in-cluster watch: an informer of
// them (one list and one watch for the kind, client-node's ListWatch), their status subresource, and
// events.k8s.io/v1 Events about them. The names of the group come from the CRD (k8s/prober/watch/crd.yaml).

import {
  CustomObjectsApi,
  createConfiguration,
  EventsV1Api,
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { type ReachabilityStatus, TEST_RESOURCE } from '../model/reachability-status.ts';
import { boundedHttp, TRANSPORT_LIMITS, type TransportLimits } from './transport.ts';

const { group: TEST_GROUP, version: TEST_VERSION, plural: TEST_PLURAL } = TEST_RESOURCE;

/** A ReachabilityTest resource as the watch reads it. */
export interface TestResource extends KubernetesObject {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
  readonly status?: ReachabilityStatus;
}

/** The informer calls the controller uses (client-node's Informer and ObjectCache). */
export interface TestInformer {
  on(verb: 'add' | 'update' | 'delete' | 'error', callback: (object: TestResource) => void): void;
  get(name: string, namespace?: string): TestResource | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The writes the controller makes. */
export interface TestResourceApi {
  get(namespace: string, name: string): Promise<TestResource>;
  /** PUT of the status subresource; rejects with an error whose `code` is 409 on a stale resourceVersion. */
  replaceStatus(resource: TestResource): Promise<TestResource>;
  createEvent(namespace: string, event: Record<string, unknown>): Promise<void>;
}

/** Whether a client-node error is a 409 Conflict. */
export function isConflict(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 409;
}

/** An informer of the ReachabilityTests of one namespace, or of all. */
export function testInformer(config: KubeConfig, namespace?: string): TestInformer {
  const api = config.makeApiClient(CustomObjectsApi);
  const base = { group: TEST_GROUP, version: TEST_VERSION, plural: TEST_PLURAL };
  const path = `/apis/${TEST_GROUP}/${TEST_VERSION}${namespace ? `/namespaces/${namespace}` : ''}/${TEST_PLURAL}`;
  const list = () =>
    (namespace ? api.listNamespacedCustomObject({ ...base, namespace }) : api.listClusterCustomObject(base)) as never;
  return makeInformer<TestResource>(config, path, list) as unknown as TestInformer;
}

/**
 * The controller's reads and writes, through client-node on the bounded transport: each call has the
 * transport's deadline and answer bound, so a silent API server cannot hold a resource's run (and its
 * schedule) for the HTTP library's minutes.
 */
export function testResourceApi(config: KubeConfig, limits: TransportLimits = TRANSPORT_LIMITS): TestResourceApi {
  const bounded = createConfiguration({
    baseServer: new ServerConfiguration(config.getCurrentCluster()?.server ?? '', {}),
    authMethods: { default: config },
    httpApi: boundedHttp(limits),
  });
  const objects = new CustomObjectsApi(bounded);
  const events = new EventsV1Api(bounded);
  const base = { group: TEST_GROUP, version: TEST_VERSION, plural: TEST_PLURAL };
  return {
    get: async (namespace, name) =>
      (await objects.getNamespacedCustomObject({ ...base, namespace, name })) as TestResource,
    replaceStatus: async (resource) =>
      (await objects.replaceNamespacedCustomObjectStatus({
        ...base,
        namespace: resource.metadata.namespace,
        name: resource.metadata.name,
        body: resource,
      })) as TestResource,
    createEvent: async (namespace, event) => {
      await events.createNamespacedEvent({ namespace, body: event as never });
    },
  };
}
