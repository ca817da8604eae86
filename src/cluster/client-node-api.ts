// KubeApi over @kubernetes/client-node: each call wrapped with retries and one-line errors.

import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1EphemeralContainer,
  type V1Pod,
} from '@kubernetes/client-node';
import { toKubeApiError, type CallSubject, KubeApiError } from './api-error.ts';
import type { Connection } from './connection.ts';
import {
  KUBE_API_PERMISSIONS,
  LIST_PAGE_SIZE,
  POLICY_RESOURCES,
  type KubeApi,
  type KubeCall,
  type Permission,
  type PolicyResource,
  type RawObject,
} from './kube-api.ts';
import { DEFAULT_RETRY, retryTransient, type RetryPolicy } from './retry.ts';

/** Options for the client: retry policy and a hook that hears about retries (progress, tests). */
export interface ClientOptions {
  readonly retry?: RetryPolicy;
  readonly onRetry?: (error: KubeApiError, attempt: number, message: string) => void;
}

/** Builds the KubeApi prober uses from a resolved connection. */
export function clientNodeApi(connection: Connection, options: ClientOptions = {}): KubeApi {
  const core = connection.kubeConfig.makeApiClient(CoreV1Api);
  const discovery = connection.kubeConfig.makeApiClient(DiscoveryV1Api);
  const custom = connection.kubeConfig.makeApiClient(CustomObjectsApi);
  const apis = connection.kubeConfig.makeApiClient(ApisApi);
  const retry = options.retry ?? DEFAULT_RETRY;

  /** One call: errors mapped to KubeApiError, transient ones retried. */
  function call<T>(name: KubeCall, subject: CallSubject, run: () => Promise<T>, permission?: Permission): Promise<T> {
    const once = async (): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        throw toKubeApiError(name, subject, error, connection.server, permission);
      }
    };
    return retryTransient(once, retry, (error, attempt) =>
      options.onRetry?.(error, attempt, `retrying ${name} after attempt ${attempt}: ${error.message}`),
    );
  }

  // The ephemeralcontainers subresource takes JSON, merge and strategic merge patches; client-node
  // sends a JSON patch unless told otherwise. A strategic merge patch adds the container by name
  // without knowing whether the pod already has ephemeral containers (a JSON patch would have to).
  const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

  return {
    async listPods(namespace, labelSelector) {
      const list = await call('listPods', { namespace }, () =>
        core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }),
      );
      return list.items;
    },
    readPod(namespace, name) {
      return call('readPod', { namespace, name }, () => core.readNamespacedPod({ namespace, name }));
    },
    readOwnPod(namespace, name) {
      return call('readOwnPod', { namespace, name }, () => core.readNamespacedPod({ namespace, name }));
    },
    addEphemeralContainer(namespace, pod, container: V1EphemeralContainer) {
      const body = { spec: { ephemeralContainers: [container] } };
      return call('addEphemeralContainer', { namespace, name: pod }, () =>
        core.patchNamespacedPodEphemeralcontainers(
          { namespace, name: pod, body, fieldManager: 'prober' },
          strategicMerge,
        ),
      );
    },
    async createPod(namespace, pod: V1Pod) {
      const name = pod.metadata?.name ?? '';
      let attempts = 0;
      try {
        return await call('createPod', { namespace, name }, () => {
          attempts += 1;
          return core.createNamespacedPod({ namespace, body: pod, fieldManager: 'prober' });
        });
      } catch (error) {
        // A retried create whose first attempt did land answers AlreadyExists: the pod is ours.
        if (attempts > 1 && error instanceof KubeApiError && error.code === 409) return this.readPod(namespace, name);
        throw error;
      }
    },
    async deletePod(namespace, name) {
      await call('deletePod', { namespace, name }, () => core.deleteNamespacedPod({ namespace, name }));
    },
    readPodLog(namespace, pod, container) {
      return call('readPodLog', { namespace, name: pod }, () =>
        core.readNamespacedPodLog({ namespace, name: pod, container }),
      );
    },
    readService(namespace, name) {
      return call('readService', { namespace, name }, () => core.readNamespacedService({ namespace, name }));
    },
    async listEndpointSlices(namespace, service) {
      const labelSelector = `kubernetes.io/service-name=${service}`;
      const list = await call('listEndpointSlices', { namespace }, () =>
        discovery.listNamespacedEndpointSlice({ namespace, labelSelector }),
      );
      return list.items;
    },
    listNamespaces: () => paged((page) => call('listNamespaces', {}, () => core.listNamespace(page))),
    listAllPods: () => paged((page) => call('listAllPods', {}, () => core.listPodForAllNamespaces(page))),
    listAllServices: () => paged((page) => call('listAllServices', {}, () => core.listServiceForAllNamespaces(page))),
    listNetworkPolicies: () => listPolicies('listNetworkPolicies', 'networkpolicies'),
    listAdminNetworkPolicies: () => listPolicies('listAdminNetworkPolicies', 'adminnetworkpolicies'),
    listBaselineAdminNetworkPolicies: () =>
      listPolicies('listBaselineAdminNetworkPolicies', 'baselineadminnetworkpolicies'),
    listClusterNetworkPolicies: () => listPolicies('listClusterNetworkPolicies', 'clusternetworkpolicies'),
    listCiliumNetworkPolicies: () => listPolicies('listCiliumNetworkPolicies', 'ciliumnetworkpolicies'),
    listCiliumClusterwideNetworkPolicies: () =>
      listPolicies('listCiliumClusterwideNetworkPolicies', 'ciliumclusterwidenetworkpolicies'),
    listAuthorizationPolicies: () => listPolicies('listAuthorizationPolicies', 'authorizationpolicies'),
    listPeerAuthentications: () => listPolicies('listPeerAuthentications', 'peerauthentications'),
    async listApiGroups() {
      const list = await call('listApiGroups', {}, () => apis.getAPIVersions());
      return list.groups.map((g) => {
        const preferred = g.preferredVersion?.version;
        const versions = g.versions.map((v) => v.version);
        return {
          group: g.name,
          versions: preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions,
        };
      });
    },
    async listApiResources(group, version) {
      const list = await call('listApiResources', {}, () => custom.getAPIResources({ group, version }));
      return list.resources
        .filter((r) => !r.name.includes('/'))
        .map((r) => ({ resource: r.name, kind: r.kind, verbs: r.verbs }));
    },
    listClusterObjects(group, version, resource, kind) {
      const permission = { ...KUBE_API_PERMISSIONS.listClusterObjects, group, resource };
      return paged<RawObject>(async (page) => {
        const list = (await call(
          'listClusterObjects',
          {},
          () => custom.listClusterCustomObject({ group, version, plural: resource, ...page }),
          permission,
        )) as { items?: RawObject[]; metadata?: { _continue?: string; continue?: string } };
        const items = (list.items ?? []).map((item) => ({ apiVersion: `${group}/${version}`, kind, ...item }));
        return { items, metadata: list.metadata };
      });
    },
  };

  /**
   * Reads a list a page at a time (limit/continue), so a big cluster's list never comes as one answer.
   * Every page is retried on its own; an expired continue token (410) fails the read.
   */
  async function paged<T>(
    page: (p: { limit: number; _continue?: string }) => Promise<{
      items: T[];
      metadata?: { _continue?: string; continue?: string } | undefined;
    }>,
  ): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const list = await page({ limit: LIST_PAGE_SIZE, ...(token ? { _continue: token } : {}) });
      out.push(...list.items);
      token = list.metadata?._continue || list.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  /**
   * Lists a policy kind as raw JSON through the generic object path (`/apis/GROUP/VERSION/PLURAL`):
   * typed client-node models rename fields (ipBlock's `except`), and the engine wants the manifest
   * as written. Versions are tried in order, because a cluster may serve only an older one.
   */
  async function listPolicies(name: KubeCall, resource: PolicyResource): Promise<RawObject[]> {
    const { group, versions, kind } = POLICY_RESOURCES[resource];
    let missing: unknown;
    for (const version of versions) {
      try {
        const items = await paged<RawObject>(async (page) => {
          const list = (await call(name, {}, () =>
            custom.listClusterCustomObject({ group, version, plural: resource, ...page }),
          )) as { items?: RawObject[]; metadata?: { continue?: string } };
          return { items: list.items ?? [], metadata: list.metadata };
        });
        return items.map((item) => ({ apiVersion: `${group}/${version}`, kind, ...item }));
      } catch (error) {
        if (!(error instanceof KubeApiError) || error.code !== 404) throw error;
        missing = error;
      }
    }
    throw missing;
  }
}
