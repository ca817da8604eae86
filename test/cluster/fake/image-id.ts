// The `imageID` a container status carries once the runtime has created the container, as containerd
// reports it through the CRI (the kubelet copies the container's ImageRef): the image's repository,
// normalized as docker's reference library does (`redis` → `docker.io/library/redis`), and the digest
// of the manifest pulled — the reference's own digest when it names one. While the container waits
// (ContainerCreating, a pull error, a config error) there is none: the field is empty.

import { createHash } from 'node:crypto';

/** `reference.ParseNormalizedNamed(…).Name()`: the repository with its registry, without tag or digest. */
function normalizedRepository(image: string): string {
  const [name = ''] = image.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const repository = colon > slash ? name.slice(0, colon) : name;
  const [first = '', ...rest] = repository.split('/');
  if (rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return repository;
  return `docker.io/${rest.length === 0 ? `library/${first}` : repository}`;
}

/**
 * The digest the registry serves for `image`: its own when pinned (`…@sha256:…`), else a stable one made
 * from the reference, so a test can tell which pull a status names (`digestOf('prober:1')`).
 */
export function digestOf(image: string): string {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(image);
  return pinned?.[1] ?? `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** The status `imageID` of a created container running `image`: `docker.io/library/redis@sha256:…`. */
export function pulledImageID(image: string): string {
  return `${normalizedRepository(image)}@${digestOf(image)}`;
}
