// In a pod, agents run prober's own build: the image of its pod, pinned to the digest the kubelet pulled.
// Whatever registry the Job or `kubectl run` used (a kustomize override, a mirror) is one the cluster can pull.

import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Connection } from './connection.ts';
import type { KubeApi } from './kube-api.ts';

/** Picks prober's container among a pod's containers: the one whose image names prober, else the only one. */
function proberContainer(containers: readonly V1Container[]): V1Container | undefined {
  return containers.find((c) => /prober/.test(c.image ?? '')) ?? (containers.length === 1 ? containers[0] : undefined);
}

/**
 * The repository of an image reference as a runtime resolves it, without tag or digest:
 * `redis` → `docker.io/library/redis`, `ghcr.io/x/prober:1` → `ghcr.io/x/prober`.
 */
export function repositoryOf(reference: string): string {
  const [withoutDigest = ''] = reference.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon after the last slash starts the tag; one before it is a registry's port.
  const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const [first = '', ...rest] = name.split('/');
  const hasRegistry = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return name;
  return `docker.io/${rest.length === 0 ? `library/${first}` : name}`;
}

/**
 * The registry digest a container status's `imageID` names: `repo@sha256:…`, possibly behind a
 * runtime's scheme (`docker-pullable://`). Undefined for a bare `sha256:…` — the local image id of an
 * image that was loaded rather than pulled (`kind load`), which no registry serves — or for anything else.
 */
function digestOf(imageID: string | undefined): { readonly repository: string; readonly digest: string } | undefined {
  const match = /^(?:[a-z-]+:\/\/)?([^@\s]+)@(sha256:[0-9a-f]{64})$/.exec(imageID ?? '');
  if (!match) return undefined;
  return { repository: repositoryOf(match[1] as string), digest: match[2] as string };
}

/**
 * The image the agents should run: the pod's own image reference, pinned to the digest its
 * container runs (`name:tag@sha256:…`), so every agent runs exactly the build prober runs even if
 * the tag moves meanwhile. Unpinned when the status names no registry digest, or a digest of another
 * repository (the digest would not be found under this name); kept as it is when already pinned.
 */
function imageOfPod(pod: V1Pod): string | undefined {
  const container = proberContainer(pod.spec?.containers ?? []);
  const image = container?.image;
  if (!container || !image) return undefined;
  if (image.includes('@')) return image;
  const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === container.name);
  const resolved = digestOf(status?.imageID);
  return resolved && resolved.repository === repositoryOf(image) ? `${image}@${resolved.digest}` : image;
}

/**
 * The image of the pod prober runs in (in-cluster only; `$HOSTNAME` is the pod's name), pinned to
 * its digest when the kubelet reports one. Undefined outside a cluster; an error when the pod cannot
 * be read, so the caller can fall back with a warning.
 */
export async function ownImage(
  api: Pick<KubeApi, 'readOwnPod'>,
  connection: Pick<Connection, 'inCluster' | 'namespace'>,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  if (!connection.inCluster || !env.HOSTNAME) return undefined;
  const pod = await api.readOwnPod(connection.namespace, env.HOSTNAME);
  const image = imageOfPod(pod);
  if (!image) throw new Error(`pod ${connection.namespace}/${env.HOSTNAME} has no container that runs prober`);
  return image;
}
