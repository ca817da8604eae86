// Where `simulate` takes its objects from: manifest files, a live cluster, or both (the cluster's topology, the files' policies).

import type { AccessOptions } from '../cluster/connection.ts';
import type { RawObject } from '../cluster/kube-api.ts';
import { liveSource, readClusterObjects } from '../cluster/live-read.ts';
import { type ManifestObject, readManifestObjects } from '../config/manifest-files.ts';
import { WORKLOAD_KINDS } from '../config/manifest-workloads.ts';
import type { InputIo, Io } from '../model/io.ts';
import type { KindFilter } from '../policy/index.ts';

/** How to reach the cluster to read (kubectl's flags); `--cluster` alone means the current context. */
export interface ClusterFlags extends AccessOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** The objects of a live cluster, ready for the manifest loader. */
export interface LiveObjects {
  /** `kind-lab (https://127.0.0.1:6443)`: named in warnings. */
  readonly cluster: string;
  readonly objects: readonly RawObject[];
  readonly notRead: readonly string[];
}

/**
 * Connects like kubectl (--kubeconfig, else $KUBECONFIG, else ~/.kube/config; --context, else the
 * current one; in a pod without either, its service account) and reads the cluster, read-only.
 * Throws a ClusterError with one line when the cluster cannot be reached or refuses a read. `env`
 * holds KUBECONFIG, HOME and the proxy variables.
 */
export async function readLive(
  flags: ClusterFlags,
  ignoreKinds: readonly KindFilter[],
  withPolicies: boolean,
  { env, stdin }: Pick<Io, 'env' | 'stdin'>,
): Promise<LiveObjects> {
  // Loaded only here: the Kubernetes client is the biggest part of the bundle, and files need none of it.
  const [{ connectTo }, { clientNodeApi }] = await Promise.all([
    import('../cluster/connection.ts'),
    import('../cluster/client-node-api.ts'),
  ]);
  const { kubeconfig, context, ...access } = flags;
  const connection = connectTo({ access, kubeconfig, context }, env, stdin);
  const { objects, notRead } = await readClusterObjects(clientNodeApi(connection), ignoreKinds, withPolicies);
  return { cluster: connection.description, objects, notRead };
}

/** Kinds a live read takes from the cluster only: its topology. */
const TOPOLOGY_KINDS = new Set([...WORKLOAD_KINDS, 'Service', 'Namespace']);

/**
 * The objects to model. With a live cluster and files, the cluster gives the topology (namespaces,
 * pods, Services) and the files give every policy, in place of the cluster's own (read only when no
 * file is given): the check of policies before they are applied, as `prober run` does with a
 * `fromPolicies` block. A topology object in those files is refused. Cluster objects are located as
 * `live Kind ns/name` in messages.
 */
export async function objectsToModel(
  paths: readonly string[],
  live: LiveObjects | undefined,
  io: InputIo,
): Promise<{ files: readonly string[]; objects: ManifestObject[] }> {
  const fromFiles = paths.length > 0 ? await readManifestObjects(paths, io) : { files: [], objects: [] };
  if (!live) return fromFiles;
  for (const o of fromFiles.objects) {
    const kind = (o.value as { kind?: unknown } | null)?.kind;
    if (typeof kind === 'string' && TOPOLOGY_KINDS.has(kind))
      throw new Error(
        `${o.locate(['kind'])}: kind: ${kind}: with --cluster, the namespaces, pods and Services come from the cluster; -f takes policies only`,
      );
  }
  const fromCluster = live.objects.map((value): ManifestObject => {
    const source = liveSource(value);
    return { value, source, locate: () => source };
  });
  return { files: fromFiles.files, objects: [...fromCluster, ...fromFiles.objects] };
}
