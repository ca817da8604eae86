// Pods and workload controllers of manifests as the policy engine's workloads: labels, ports, IPs, owners.

import type { ContainerPortInput, Protocol, ServiceInput, WorkloadInput } from '../policy/index.ts';
import { isAddress } from '../policy/index.ts';
import type { ManifestObject } from './manifest-files.ts';

export type Obj = Record<string, unknown>;

/** The value as a mapping, or undefined. */
export function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** A label or annotation map, keeping string values only. */
export function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Kinds that run pods: a Pod itself or a controller with a pod template. */
export const WORKLOAD_KINDS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
]);

/** A path to a field: map keys and list indexes. */
export type Path = readonly (string | number)[];

/** Where each workload kind keeps its pod template (a Pod is its own); undefined for other kinds. */
export function templatePath(kind: string): Path | undefined {
  if (!WORKLOAD_KINDS.has(kind)) return undefined;
  if (kind === 'Pod') return [];
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

/** The value at `path`, or undefined: an index only steps into a list, a key only into a mapping. */
export function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, key) => (typeof key === 'number' ? (Array.isArray(v) ? v[key] : undefined) : obj(v)?.[key]),
    value,
  );
}

function containerPorts(podSpec: Obj, m: ManifestObject, path: (string | number)[]): ContainerPortInput[] {
  const out: ContainerPortInput[] = [];
  for (const key of ['containers', 'initContainers'] as const) {
    const containers = Array.isArray(podSpec[key]) ? (podSpec[key] as unknown[]) : [];
    for (const [ci, c] of containers.entries()) {
      const container = obj(c) ?? {};
      // Only restartable init containers (native sidecars) keep serving after start-up.
      if (key === 'initContainers' && container.restartPolicy !== 'Always') continue;
      const ports = Array.isArray(container.ports) ? (container.ports as unknown[]) : [];
      for (const [pi, p] of ports.entries()) {
        const port = obj(p) ?? {};
        const number = port.containerPort;
        if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
          throw new Error(
            `${m.locate([...path, key, ci, 'ports', pi, 'containerPort'])}: containerPort must be a port number`,
          );
        }
        const protocol = (port.protocol ?? 'TCP') as Protocol;
        if (!['TCP', 'UDP', 'SCTP'].includes(protocol))
          throw new Error(
            `${m.locate([...path, key, ci, 'ports', pi, 'protocol'])}: unknown protocol ${String(protocol)}`,
          );
        out.push({ port: number, protocol, ...(typeof port.name === 'string' ? { name: port.name } : {}) });
      }
    }
  }
  return out;
}

/** A Pod's IPs from `status.podIPs` (or the older `status.podIP`); empty when not scheduled yet. */
function podIps(o: Obj, m: ManifestObject): string[] {
  const status = obj(o.status) ?? {};
  const check = (ip: unknown, path: (string | number)[]): string => {
    if (typeof ip !== 'string' || !isAddress(ip))
      throw new Error(
        `${m.locate(path)}: ${path.join('.').replace(/\.(\d+)/g, '[$1]')}: ${JSON.stringify(ip)} is not an IP address`,
      );
    return ip;
  };
  const list = Array.isArray(status.podIPs) ? status.podIPs : [];
  const ips = list.map((entry, i) => check(obj(entry)?.ip, ['status', 'podIPs', i, 'ip']));
  if (ips.length === 0 && status.podIP !== undefined && status.podIP !== null && status.podIP !== '')
    ips.push(check(status.podIP, ['status', 'podIP']));
  return ips;
}

/** The controlling owner of an object (`ownerReferences[].controller`), as `namespace/Kind/name`. */
function controllerKey(o: Obj, namespace: string): string | undefined {
  const refs = Array.isArray(obj(o.metadata)?.ownerReferences) ? (obj(o.metadata)!.ownerReferences as unknown[]) : [];
  const ref = refs.map(obj).find((r) => r?.controller === true);
  return ref && typeof ref.kind === 'string' && typeof ref.name === 'string'
    ? `${namespace}/${ref.kind}/${ref.name}`
    : undefined;
}

/** A workload read from a manifest, with what is needed to drop controllers whose pods are listed too. */
export interface ReadWorkload {
  readonly input: WorkloadInput;
  /** `namespace/Kind/name` of this object. */
  readonly key: string;
  /** Its controller's key, when it has one (a Pod's ReplicaSet, a ReplicaSet's Deployment). */
  readonly controller: string | undefined;
}

/**
 * Reads a Pod or a controller's pod template. Returns a note instead when the object cannot be
 * modelled (host network: policies do not apply; finished pods: their IPs may be reused).
 */
export function readWorkload(
  o: Obj,
  kind: string,
  name: string,
  namespace: string,
  m: ManifestObject,
): ReadWorkload | { note: string } {
  const id = `${kind} ${namespace}/${name}`;
  const path = templatePath(kind) ?? [];
  const template = obj(at(o, path));
  const podSpec = obj(template?.spec);
  if (!template || !podSpec) throw new Error(`${m.source}: ${id} has no pod template`);
  if (podSpec.hostNetwork === true)
    return { note: `${m.source}: ${id} uses hostNetwork: NetworkPolicy does not apply to it, left out of the model` };
  const phase = obj(o.status)?.phase;
  if (kind === 'Pod' && (phase === 'Succeeded' || phase === 'Failed'))
    return { note: `${m.source}: ${id} has finished (${phase}): left out of the model` };
  const podMeta = obj(template.metadata) ?? {};
  const inject = strings(podMeta.annotations)['sidecar.istio.io/inject'];
  const sa = podSpec.serviceAccountName ?? podSpec.serviceAccount;
  const controller = controllerKey(o, namespace);
  const owner = kind === 'Pod' && controller ? controller.split('/')[2] : undefined;
  const input: WorkloadInput = {
    namespace,
    name,
    kind,
    labels: strings(podMeta.labels),
    ports: containerPorts(podSpec, m, [...path, 'spec']),
    source: m.source,
    ...(owner ? { owner } : {}),
    ...(kind === 'Pod' ? { ips: podIps(o, m) } : {}),
    ...(typeof sa === 'string' ? { serviceAccount: sa } : {}),
    ...(inject === 'true' || inject === 'false' ? { mesh: inject === 'true' } : {}),
  };
  return { input, key: `${namespace}/${kind}/${name}`, controller };
}

/**
 * Drops controllers whose pods the manifests list themselves (a `kubectl get all -o yaml` dump):
 * the pods, with their IPs and generated labels, are the real peers; the template would be a
 * second, IP-less copy of them.
 */
export function withoutListedControllers(read: readonly ReadWorkload[]): WorkloadInput[] {
  const byKey = new Map(read.map((w) => [w.key, w]));
  const covered = new Set<string>();
  for (const w of read) {
    if (w.input.kind !== 'Pod') continue;
    // Walk up: Pod → ReplicaSet → Deployment, Pod → Job → CronJob.
    for (let key = w.controller; key !== undefined && !covered.has(key); key = byKey.get(key)?.controller)
      covered.add(key);
  }
  return read.filter((w) => w.input.kind === 'Pod' || !covered.has(w.key)).map((w) => w.input);
}

/** Reads a Service's ports. */
export function servicePorts(spec: Obj, m: ManifestObject): ServiceInput['ports'] {
  const ports = Array.isArray(spec.ports) ? (spec.ports as unknown[]) : [];
  return ports.map((p, i) => {
    const port = obj(p) ?? {};
    if (typeof port.port !== 'number')
      throw new Error(`${m.locate(['spec', 'ports', i, 'port'])}: port must be a number`);
    const target = port.targetPort;
    return {
      port: port.port,
      protocol: (port.protocol ?? 'TCP') as Protocol,
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
      ...(typeof target === 'number' || typeof target === 'string' ? { targetPort: target } : {}),
    };
  });
}
