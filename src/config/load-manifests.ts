// Loads Kubernetes manifests into the policy engine's inputs: namespaces, workloads, Services, policies.
import { formatPath, isPolicyKind, parsePolicy, PolicyError } from '../policy/index.ts';
import type { ClusterInput, ContainerPortInput, NamespaceInput, PolicyInput, Protocol, ServiceInput, WorkloadInput } from '../policy/index.ts';
import { readManifestObjects, type ManifestObject } from './manifest-files.ts';
import { checkManifestNames } from './manifest-names.ts';

/** The cluster described by manifest files, plus what was skipped and why. */
export interface LoadedManifests {
  readonly cluster: Required<ClusterInput>;
  readonly files: readonly string[];
  /** Objects that were read but cannot be modelled (hostNetwork pods, documents without kind …). */
  readonly warnings: readonly string[];
  /** Count of objects of kinds that do not affect reachability (ConfigMap, Ingress, RBAC …). */
  readonly ignoredKinds: Readonly<Record<string, number>>;
}

export interface LoadOptions {
  /** Base for relative paths (e.g. the ReachabilityTest file's directory). Default: cwd. */
  readonly baseDir?: string;
  /** Namespace of objects without metadata.namespace (as `kubectl apply` would use). Default `default`. */
  readonly defaultNamespace?: string;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Where each workload kind keeps its pod template. */
function podTemplate(kind: string, spec: Obj | undefined): Obj | undefined {
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return obj(spec?.template);
    case 'CronJob':
      return obj(obj(obj(spec?.jobTemplate)?.spec)?.template);
    default:
      return undefined;
  }
}

const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

function containerPorts(podSpec: Obj, at: ManifestObject, path: (string | number)[]): ContainerPortInput[] {
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
          throw new Error(`${at.locate([...path, key, ci, 'ports', pi, 'containerPort'])}: containerPort must be a port number`);
        }
        const protocol = (port.protocol ?? 'TCP') as Protocol;
        if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw new Error(`${at.locate([...path, key, ci, 'ports', pi, 'protocol'])}: unknown protocol ${String(protocol)}`);
        out.push({ port: number, protocol, ...(typeof port.name === 'string' ? { name: port.name } : {}) });
      }
    }
  }
  return out;
}

function servicePorts(spec: Obj, at: ManifestObject): ServiceInput['ports'] {
  const ports = Array.isArray(spec.ports) ? (spec.ports as unknown[]) : [];
  return ports.map((p, i) => {
    const port = obj(p) ?? {};
    if (typeof port.port !== 'number') throw new Error(`${at.locate(['spec', 'ports', i, 'port'])}: port must be a number`);
    const target = port.targetPort;
    return {
      port: port.port,
      protocol: (port.protocol ?? 'TCP') as Protocol,
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
      ...(typeof target === 'number' || typeof target === 'string' ? { targetPort: target } : {}),
    };
  });
}

/**
 * Reads manifest files/directories and collects what reachability depends on. Policies are
 * checked here, so an unsupported field is reported at its own file:line.
 */
export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedManifests> {
  const { files, objects } = await readManifestObjects(paths, options.baseDir);
  // Names as the API server would accept them, before any of them is used.
  checkManifestNames(objects);
  const defaultNs = options.defaultNamespace ?? 'default';
  const namespaces: NamespaceInput[] = [];
  const workloads: WorkloadInput[] = [];
  const services: ServiceInput[] = [];
  const policies: PolicyInput[] = [];
  const warnings: string[] = [];
  const ignoredKinds: Record<string, number> = {};
  const seen = new Map<string, string>();

  for (const at of objects) {
    const o = obj(at.value);
    const kind = o?.kind;
    const meta = obj(o?.metadata);
    if (kind === 'Kustomization' || kind === 'Component') {
      // kustomize's own files sit next to the manifests they list.
      ignoredKinds[kind] = (ignoredKinds[kind] ?? 0) + 1;
      continue;
    }
    if (!o || typeof kind !== 'string' || typeof meta?.name !== 'string') {
      warnings.push(`${at.source}: skipped: not a Kubernetes object (needs kind and metadata.name)`);
      continue;
    }
    const name = meta.name;
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : defaultNs;
    const id = `${kind} ${kind === 'Namespace' ? '' : `${namespace}/`}${name}`;
    if (seen.has(id)) throw new Error(`${at.source}: ${id} is already declared at ${seen.get(id)}`);
    seen.set(id, at.source);

    if (kind === 'Namespace') {
      namespaces.push({ name, labels: strings(meta.labels) });
    } else if (kind === 'Service') {
      const spec = obj(o.spec) ?? {};
      const selector = strings(spec.selector);
      services.push({
        namespace,
        name,
        ports: servicePorts(spec, at),
        source: at.source,
        ...(spec.type !== 'ExternalName' && Object.keys(selector).length > 0 ? { selector } : {}),
        ...(typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' ? { clusterIP: spec.clusterIP } : {}),
      });
    } else if (WORKLOAD_KINDS.has(kind)) {
      const template = kind === 'Pod' ? o : podTemplate(kind, obj(o.spec));
      const tmplPath = kind === 'Pod' ? [] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
      const podSpec = obj(template?.spec);
      if (!template || !podSpec) throw new Error(`${at.source}: ${id} has no pod template`);
      const podMeta = obj(template.metadata) ?? {};
      if (podSpec.hostNetwork === true) {
        warnings.push(`${at.source}: ${id} uses hostNetwork: NetworkPolicy does not apply to it, left out of the model`);
        continue;
      }
      const inject = strings(podMeta.annotations)['sidecar.istio.io/inject'];
      const sa = podSpec.serviceAccountName ?? podSpec.serviceAccount;
      workloads.push({
        namespace,
        name,
        kind,
        labels: strings(podMeta.labels),
        ports: containerPorts(podSpec, at, [...tmplPath, 'spec']),
        source: at.source,
        ...(typeof sa === 'string' ? { serviceAccount: sa } : {}),
        ...(inject === 'true' || inject === 'false' ? { mesh: inject === 'true' } : {}),
      });
    } else if (isPolicyKind(kind)) {
      const input = { manifest: o, source: at.source };
      try {
        parsePolicy(input);
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        // Re-anchor the message on the offending field's own line.
        const field = formatPath(error.path);
        throw new Error(`${at.locate(error.path)}: ${error.policy}: ${field ? `${field}: ` : ''}${error.detail}`, { cause: error });
      }
      policies.push(input);
    } else {
      ignoredKinds[kind] = (ignoredKinds[kind] ?? 0) + 1;
    }
  }
  return { cluster: { namespaces, workloads, services, policies }, files, warnings, ignoredKinds };
}
