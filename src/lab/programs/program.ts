// What a lab container runs on the host: the command, its files, and how to tell it is ready.

import { join, posix } from 'node:path';
import type { ProgramKind } from '../../model/lab-profile.ts';
import { confine } from '../confine.ts';
import type { LabContainer, LabPod } from '../topology-types.ts';

/** A file a program needs written before it starts (config, a page to serve). */
interface ProgramFile {
  readonly path: string;
  readonly content: string;
}

/** How one container of a lab pod is run. */
export interface ProgramSpec {
  readonly pod: string;
  readonly container: string;
  /** What stands in for the container image, for `lab status` and error messages (`dns`: the cluster DNS, `sidecar`: the mesh's proxy). */
  readonly kind: ProgramKind | 'agent' | 'dns' | 'sidecar';
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly ProgramFile[];
  readonly dirs: readonly string[];
  /** Symlinks to create: [link path, target]. */
  readonly links: readonly (readonly [string, string])[];
  /** URLs (on the pod's address) that answer once the program is up; probed from the node. */
  readonly ready: readonly string[];
  /**
   * Run as the lab's unprivileged uid, in a mount namespace where only `writable` (its own
   * directories, which it owns) can be written; missing: run as root (prober's own programs).
   */
  readonly confined?: { readonly writable: readonly string[] };
  /** Debian packages (or project steps) that provide the program, for preflight messages. */
  readonly needs: readonly { readonly program: string; readonly install: string }[];
}

/** Everything a recipe needs to build a ProgramSpec. */
export interface RecipeContext {
  readonly pod: LabPod;
  readonly container: LabContainer;
  /** A directory of this container's own under the lab's run directory. */
  readonly dir: string;
  /** argv prefix that runs prober itself (the binary, or node + the source entry in development). */
  readonly prober: readonly string[];
  /** How to run the time app in its runtime, when the lab has one. */
  readonly timeApp?: (env: Readonly<Record<string, string>>) => {
    argv: readonly string[];
    env: Readonly<Record<string, string>>;
  };
  /** Why the time app cannot run, when `timeApp` is missing. */
  readonly timeAppMissing?: string;
}

/** The image name without registry, tag or digest: `docker.io/library/redis:7` → `redis`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  return last.split(':')[0] ?? last;
}

/** The image repository without tag or digest: `registry:5000/team/app:1@sha256:…` → `registry:5000/team/app`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash is a registry's port, not a tag.
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** The container's ports of one protocol. */
export function tcpPorts(container: LabContainer): number[] {
  return container.ports.filter((p) => p.protocol === 'TCP').map((p) => p.containerPort);
}

/**
 * Where a path of the container's own filesystem lives on the host: below the container's
 * directory, never at the absolute path itself. `..` is resolved inside the container first, as the
 * container would see it, so `/../../etc` is the container's `/etc`.
 */
export function containerPath(dir: string, path: string): string {
  const inside = posix.resolve('/', path);
  return inside === '/' ? dir : confine(dir, join(dir, inside));
}

/** The container's ConfigMap volumes: where each is mounted in the container, and its files (key → content). */
export function mountedFiles(ctx: RecipeContext): { mountPath: string; files: Readonly<Record<string, string>> }[] {
  return ctx.container.volumeMounts.flatMap((mount) => {
    const files = ctx.pod.configVolumes[mount.name];
    return files ? [{ mountPath: posix.resolve('/', mount.mountPath), files }] : [];
  });
}
