// What of a live pod the policy model reads, and nothing else: a big cluster's pods are read whole by the
// API server, and most of each (status conditions, container statuses, volumes, env, resources,
// managedFields) is never looked at, so it is dropped page by page instead of held for the whole run.

import type { RawObject } from './kube-api.ts';
import { meshAnnotations } from './mesh-membership.ts';

type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** Copies the named fields that are present (an absent field stays absent, as in the manifest). */
function pick(from: Json | undefined, keys: readonly string[]): Json {
  const out: Json = {};
  if (!from) return out;
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/** A container as the model reads it: its name (a sidecar is named), ports, and restart policy (native sidecars). */
const container = (c: unknown): Json => pick(obj(c), ['name', 'ports', 'restartPolicy']);

/**
 * A pod with only what the policy model of `run` (`live-model.ts`) and of `simulate` (the manifest
 * loader) read: identity, labels, the mesh injector's annotations (Istio's inject annotation; any other
 * annotation, however large, is dropped as the page arrives), controller, service account, host network,
 * container names and ports, phase and IPs.
 */
export function modelledPod(pod: RawObject): RawObject {
  const metadata = obj(pod.metadata);
  const spec = obj(pod.spec);
  const annotations = obj(metadata?.annotations);
  const kept = annotations ? meshAnnotations({ metadata: { annotations: annotations as Record<string, string> } }) : {};
  return {
    ...pick(pod, ['apiVersion', 'kind']),
    metadata: {
      ...pick(metadata, ['name', 'namespace', 'uid', 'labels', 'ownerReferences', 'creationTimestamp']),
      ...(annotations ? { annotations: kept } : {}),
    },
    spec: {
      ...pick(spec, ['serviceAccountName', 'serviceAccount', 'hostNetwork', 'nodeName']),
      containers: Array.isArray(spec?.containers) ? spec.containers.map(container) : [],
      ...(Array.isArray(spec?.initContainers) ? { initContainers: spec.initContainers.map(container) } : {}),
    },
    status: pick(obj(pod.status), ['phase', 'podIP', 'podIPs']),
  };
}

/**
 * A pod with only what `prober cleanup` reads: identity, labels, whether it is being deleted, and the
 * names and states of its ephemeral containers (prober's agents are among them).
 */
export function cleanupPod(pod: RawObject): RawObject {
  const metadata = obj(pod.metadata);
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const named = (list: unknown, keys: readonly string[]): Json[] =>
    Array.isArray(list) ? list.map((c) => pick(obj(c), keys)) : [];
  return {
    metadata: pick(metadata, ['name', 'namespace', 'uid', 'labels', 'deletionTimestamp']),
    spec: { ephemeralContainers: named(spec?.ephemeralContainers, ['name']) },
    status: { ephemeralContainerStatuses: named(status?.ephemeralContainerStatuses, ['name', 'state']) },
  };
}
