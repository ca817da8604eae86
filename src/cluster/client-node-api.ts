// KubeApi over @kubernetes/client-node: each call wrapped with retries and one-line errors.

import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  DiscoveryV1Api,
  PatchStrategy,
  PolicyV1Api,
  ServerConfiguration,
  setHeaderOptions,
  type V1EphemeralContainer,
  type V1Namespace,
  type V1Node,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { kindDescriptor, type PolicyKind } from '../policy/index.ts';
import { type CallSubject, KubeApiError, toKubeApiError, UnusableAnswer } from './api-error.ts';
import type { Connection } from './connection.ts';
import { CredentialError, ExecPluginError } from './exec-credential.ts';
import { ExecRefused, execStream } from './exec-stream.ts';
import {
  EXEC_UPGRADE_PERMISSION,
  KUBE_API_PERMISSIONS,
  type KubeApi,
  type KubeCall,
  type Permission,
  permissionLabel,
  policyPermission,
  type RawObject,
} from './kube-api.ts';
import { LIST_RESTARTS, pageReader, readAllPages, withoutManagedFields } from './list-pager.ts';
import { cleanupPod, modelledPod } from './modelled-fields.ts';
import { ZONE_LABEL, zoneFields } from './node-zones.ts';
import { DEFAULT_RETRY, OUTAGE, type RetryPolicy, retryTransient } from './retry.ts';
import { boundedHttp, callAnswers, TRANSPORT_LIMITS, type TransportLimits } from './transport.ts';

/** Options for the client: retry policies, bounds, a hook that hears about retries (progress, tests), interruption. */
export interface ClientOptions {
  /**
   * How calls are retried. Its `outage` (by default {@link OUTAGE} with {@link DEFAULT_RETRY}) applies
   * only once the API server has answered this run, so that a wrong address or a cluster that is down
   * is reported in seconds, and a control-plane restart in the middle of a run is ridden out.
   */
  readonly retry?: RetryPolicy;
  /** The most one call may spend on retries (outage and Retry-After waits): `--agent-timeout` when given. */
  readonly callBudgetMs?: number;
  /** Each request's deadline and the bytes of an answer. */
  readonly limits?: TransportLimits;
  readonly onRetry?: (error: KubeApiError, attempt: number, message: string) => void;
  /** SIGINT/SIGTERM: ends a wait for the server's Retry-After at once. */
  readonly signal?: AbortSignal;
}

/** The answer when it has the shape the call reads; else one UnusableAnswer, never retried. */
function shaped<T>(answer: T, valid: (answer: T) => boolean, what: string): T {
  if (!valid(answer)) throw new UnusableAnswer('Malformed', `the API server answered something that is not ${what}`);
  return answer;
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const isList = (list: { items?: unknown }): boolean =>
  isObject(list) && Array.isArray(list.items) && list.items.every(isObject);
const LIST = 'a Kubernetes list';
const DISCOVERY = 'a discovery document';

/** `policy` with its waits capped at `budgetMs`, so that no call outlives the deadline it serves. */
function withinBudget(policy: RetryPolicy, budgetMs: number | undefined): RetryPolicy {
  if (budgetMs === undefined) return policy;
  return {
    ...policy,
    retryAfterBudgetMs: Math.min(policy.retryAfterBudgetMs ?? 60_000, budgetMs),
    ...(policy.outage ? { outage: { ...policy.outage, budgetMs: Math.min(policy.outage.budgetMs, budgetMs) } } : {}),
  };
}

/** Builds the KubeApi prober uses from a resolved connection. */
export function clientNodeApi(connection: Connection, options: ClientOptions = {}): KubeApi {
  // makeApiClient's configuration, with the bounded transport in place of undici's bare defaults.
  const config = createConfiguration({
    baseServer: new ServerConfiguration(connection.kubeConfig.getCurrentCluster()?.server ?? '', {}),
    authMethods: { default: connection.kubeConfig },
    httpApi: boundedHttp(
      options.limits ?? {
        ...TRANSPORT_LIMITS,
        ...(connection.requestTimeoutMs !== undefined ? { requestTimeoutMs: connection.requestTimeoutMs } : {}),
      },
      connection.impersonation,
    ),
  });
  const core = new CoreV1Api(config);
  const discovery = new DiscoveryV1Api(config);
  const custom = new CustomObjectsApi(config);
  const apis = new ApisApi(config);
  const disruption = new PolicyV1Api(config);
  const readPage = pageReader(config);
  const policy = withinBudget(options.retry ?? { ...DEFAULT_RETRY, outage: OUTAGE }, options.callBudgetMs);
  const { outage: _notYet, ...beforeContact } = policy;
  /** Whether the API server has answered anything yet (an HTTP error counts: it is there). */
  let reached = false;

  /** One call: errors mapped to KubeApiError, transient ones retried; `label` names it in progress lines. */
  function call<T>(
    name: KubeCall,
    subject: CallSubject,
    run: () => Promise<T>,
    permission?: Permission,
    expected = 'the Kubernetes object asked for',
    label: string = name,
  ): Promise<T> {
    const once = async (): Promise<T> => {
      const seen: { status?: number } = {};
      try {
        const result = await callAnswers.run(seen, run);
        reached = true;
        return result;
      } catch (thrown) {
        // No credential: the request never left, and a retry would only start the plugin again.
        if (thrown instanceof ExecPluginError) throw new CredentialError(name, thrown);
        // A 2xx whose body client-node could not decode (null items, garbage): the same answer would come again.
        const undecodable =
          seen.status !== undefined &&
          seen.status >= 200 &&
          seen.status < 300 &&
          !(thrown instanceof UnusableAnswer) &&
          !(thrown instanceof KubeApiError);
        const error = undecodable
          ? new UnusableAnswer('Malformed', `the API server answered something that is not ${expected}`, {
              cause: thrown,
            })
          : thrown;
        const mapped = toKubeApiError(name, subject, error, connection.server, permission);
        if (mapped.code !== undefined || seen.status !== undefined) reached = true;
        throw mapped;
      }
    };
    return retryTransient(
      once,
      reached ? policy : beforeContact,
      (error, attempt, delayMs) =>
        options.onRetry?.(
          error,
          attempt,
          `retrying ${label} after attempt ${attempt}${error.retryAfterSeconds !== undefined ? `, in ${delayMs / 1000} s as the server's Retry-After asks` : ''}: ${error.message}`,
        ),
      options.signal,
    );
  }

  // The ephemeralcontainers subresource takes JSON, merge and strategic merge patches; client-node
  // sends a JSON patch unless told otherwise. A strategic merge patch adds the container by name
  // without knowing whether the pod already has ephemeral containers (a JSON patch would have to).
  /** One namespaced list, its answer shape-checked as a Kubernetes list: the items. */
  async function listIn<T extends { items: unknown[] }>(
    name: KubeCall,
    namespace: string,
    fetch: () => Promise<T>,
  ): Promise<T['items']> {
    return (await call(name, { namespace }, async () => shaped(await fetch(), isList, LIST), undefined, LIST)).items;
  }

  const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

  return {
    listPods: (namespace, labelSelector) =>
      listIn('listPods', namespace, () =>
        core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }),
      ),
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
    async execInContainer(request) {
      try {
        return await execStream(connection.kubeConfig, connection.impersonation, request);
      } catch (error) {
        // A 403 names the verb refused: `get` (the upgrade itself) or `create` (the 1.35 check after it).
        const refusedGet = error instanceof ExecRefused && /cannot get resource/.test(error.body);
        const subject = { namespace: request.namespace, name: request.pod };
        const permission = refusedGet ? EXEC_UPGRADE_PERMISSION : KUBE_API_PERMISSIONS.execInContainer;
        throw toKubeApiError('execInContainer', subject, error, connection.server, permission);
      }
    },
    readPodLog(namespace, pod, container) {
      return call('readPodLog', { namespace, name: pod }, () =>
        core.readNamespacedPodLog({ namespace, name: pod, container }),
      );
    },
    readService(namespace, name) {
      return call('readService', { namespace, name }, () => core.readNamespacedService({ namespace, name }));
    },
    listPodDisruptionBudgets: (namespace) =>
      listIn('listPodDisruptionBudgets', namespace, () => disruption.listNamespacedPodDisruptionBudget({ namespace })),
    readNode(name) {
      return call('readNode', { name }, () => core.readNode({ name }));
    },
    listLimitRanges: (namespace) =>
      listIn('listLimitRanges', namespace, () => core.listNamespacedLimitRange({ namespace })),
    listEndpointSlices: (namespace, service) =>
      listIn('listEndpointSlices', namespace, () =>
        discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }),
      ),
    listNamespaces: () => listAll('listNamespaces', '/api/v1/namespaces') as Promise<V1Namespace[]>,
    listAllPods: () => listAll('listAllPods', '/api/v1/pods', undefined, undefined, modelledPod) as Promise<V1Pod[]>,
    listPodsForCleanup: () =>
      listAll('listPodsForCleanup', '/api/v1/pods', undefined, undefined, cleanupPod) as Promise<V1Pod[]>,
    listAllServices: () => listAll('listAllServices', '/api/v1/services') as Promise<V1Service[]>,
    listNodes: () => listAll('listNodes', '/api/v1/nodes') as Promise<V1Node[]>,
    listNodeZones: () =>
      listAll('listNodeZones', '/api/v1/nodes', undefined, undefined, zoneFields, undefined, {
        labelSelector: ZONE_LABEL,
      }) as Promise<V1Node[]>,
    listPolicies,
    async listApiGroups() {
      const list = await call(
        'listApiGroups',
        {},
        async () =>
          shaped(
            await apis.getAPIVersions(),
            (l) =>
              isObject(l) &&
              Array.isArray(l.groups) &&
              l.groups.every((g) => isObject(g) && typeof g.name === 'string' && Array.isArray(g.versions)),
            DISCOVERY,
          ),
        undefined,
        DISCOVERY,
      );
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
      const list = await call(
        'listApiResources',
        { name: `${group}/${version}` },
        async () =>
          shaped(
            await custom.getAPIResources({ group, version }),
            (l) =>
              isObject(l) &&
              Array.isArray(l.resources) &&
              l.resources.every((r) => isObject(r) && typeof r.name === 'string'),
            DISCOVERY,
          ),
        undefined,
        DISCOVERY,
      );
      return list.resources
        .filter((r) => !r.name.includes('/'))
        .map((r) => ({ resource: r.name, kind: r.kind, verbs: r.verbs }));
    },
    listClusterObjects(group, version, resource, kind) {
      const permission = { ...KUBE_API_PERMISSIONS.listClusterObjects, group, resource };
      return listAll('listClusterObjects', `/apis/${group}/${version}/${resource}`, permission, {
        apiVersion: `${group}/${version}`,
        kind,
      });
    },
  };

  /**
   * Every object of a cluster-wide list, a page at a time, each page parsed once and each object kept
   * as `keep` trims it, by default without its managedFields (with `typed`, its apiVersion and kind set:
   * list items carry none). Every
   * page is retried on its own; an expired continue token (410) starts the list over. `label` names
   * the list in progress lines (`listPolicies(CiliumNetworkPolicy)`); `filter` adds query parameters
   * to every page (a `labelSelector`).
   */
  function listAll(
    name: KubeCall,
    path: string,
    permission?: Permission,
    typed?: { apiVersion: string; kind: string },
    keep: (item: RawObject) => RawObject = withoutManagedFields,
    label: string = name,
    filter: Readonly<Record<string, string>> = {},
  ): Promise<RawObject[]> {
    return readAllPages(
      (query) => call(name, {}, () => readPage(path, { ...filter, ...query }), permission, undefined, label),
      (what) =>
        new KubeApiError(
          name,
          undefined,
          'Malformed',
          `${permissionLabel(permission ?? KUBE_API_PERMISSIONS[name])} cluster-wide: ${what}`,
          {
            transient: false,
          },
        ),
      (item) => (typed ? { ...typed, ...keep(item) } : keep(item)),
      (error, restart) =>
        options.onRetry?.(
          error,
          restart,
          `restarting ${label} from its first page (${restart} of ${LIST_RESTARTS}): ${error.message}`,
        ),
    );
  }

  /**
   * Lists a policy kind as raw JSON through the generic object path (`/apis/GROUP/VERSION/PLURAL`):
   * typed client-node models rename fields (ipBlock's `except`), and the engine wants the manifest
   * as written. Versions are tried in order, because a cluster may serve only an older one.
   */
  async function listPolicies(kind: PolicyKind): Promise<RawObject[]> {
    const { group, versions, plural } = kindDescriptor(kind);
    const permission = policyPermission(kind);
    let missing: unknown;
    for (const version of versions) {
      try {
        const path = `/apis/${group}/${version}/${plural}`;
        const typed = { apiVersion: `${group}/${version}`, kind };
        return await listAll('listPolicies', path, permission, typed, undefined, `listPolicies(${kind})`);
      } catch (error) {
        if (!(error instanceof KubeApiError) || error.code !== 404) throw error;
        missing = error;
      }
    }
    throw missing;
  }
}
