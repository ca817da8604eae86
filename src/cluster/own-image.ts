// In a pod, agents default to prober's own image: whatever registry the Job or `kubectl run` used
// (a kustomize image override, a mirror) is the one the cluster can pull.

import type { V1Container } from '@kubernetes/client-node';
import type { Connection } from './connection.ts';
import type { KubeApi } from './kube-api.ts';

/** Picks prober's container among a pod's containers: the one whose image names prober, else the only one. */
function proberContainer(containers: readonly V1Container[]): V1Container | undefined {
  return containers.find((c) => /prober/.test(c.image ?? '')) ?? (containers.length === 1 ? containers[0] : undefined);
}

/**
 * The image of the pod prober runs in (in-cluster only; `$HOSTNAME` is the pod's name). Undefined
 * outside a cluster; an error when the pod cannot be read, so the caller can fall back with a warning.
 */
export async function ownImage(api: Pick<KubeApi, 'readOwnPod'>, connection: Pick<Connection, 'inCluster' | 'namespace'>, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (!connection.inCluster || !env.HOSTNAME) return undefined;
  const pod = await api.readOwnPod(connection.namespace, env.HOSTNAME);
  const image = proberContainer(pod.spec?.containers ?? [])?.image;
  if (!image) throw new Error(`pod ${connection.namespace}/${env.HOSTNAME} has no container that runs prober`);
  return image;
}
