// KubeApi over @kubernetes/client-node: each call wrapped with retries and one-line errors.

import {
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
import { POLICY_RESOURCES, type KubeApi, type KubeCall, type PolicyResource, type RawObject } from './kube-api.ts';
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
  const retry = options.retry ?? DEFAULT_RETRY;

  /** One call: errors mapped to KubeApiError, transient ones retried. */
  function call<T>(name: KubeCall, subject: CallSubject, run: () => Promise<T>): Promise<T> {
    const once = async (): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        throw toKubeApiError(name, subject, error, connection.server);
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
    async listNamespaces() {
      return (await call('listNamespaces', {}, () => core.listNamespace())).items;
    },
    async listAllPods() {
      return (await call('listAllPods', {}, () => core.listPodForAllNamespaces())).items;
    },
    async listAllServices() {
      return (await call('listAllServices', {}, () => core.listServiceForAllNamespaces())).items;
    },
    listNetworkPolicies: () => listPolicies('listNetworkPolicies', 'networkpolicies'),
    listAdminNetworkPolicies: () => listPolicies('listAdminNetworkPolicies', 'adminnetworkpolicies'),
    listBaselineAdminNetworkPolicies: () =>
      listPolicies('listBaselineAdminNetworkPolicies', 'baselineadminnetworkpolicies'),
    listCiliumNetworkPolicies: () => listPolicies('listCiliumNetworkPolicies', 'ciliumnetworkpolicies'),
    listCiliumClusterwideNetworkPolicies: () =>
      listPolicies('listCiliumClusterwideNetworkPolicies', 'ciliumclusterwidenetworkpolicies'),
    listAuthorizationPolicies: () => listPolicies('listAuthorizationPolicies', 'authorizationpolicies'),
    listPeerAuthentications: () => listPolicies('listPeerAuthentications', 'peerauthentications'),
  };

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
        const list = (await call(name, {}, () =>
          custom.listClusterCustomObject({ group, version, plural: resource }),
        )) as { items?: RawObject[] };
        return (list.items ?? []).map((item) => ({ apiVersion: `${group}/${version}`, kind, ...item }));
      } catch (error) {
        if (!(error instanceof KubeApiError) || error.code !== 404) throw error;
        missing = error;
      }
    }
    throw missing;
  }
}
