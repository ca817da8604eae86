// Loads Kubernetes manifests into the policy engine's inputs: namespaces, workloads, Services, policies.
import type { InputIo } from '../model/io.ts';
import { formatPath } from '../model/names.ts';
import type {
  ClusterInput,
  KindFilter,
  NamespaceInput,
  NodeInput,
  PolicyInput,
  ServiceInput,
} from '../policy/index.ts';
import { classifyObject, kindMatches, PolicyError, parsePolicy, qualifiedKind } from '../policy/index.ts';
import { type ManifestObject, readManifestObjects } from './manifest-files.ts';
import { checkManifestNames } from './manifest-names.ts';
import {
  obj,
  type ReadWorkload,
  readWorkload,
  servicePorts,
  strings,
  WORKLOAD_KINDS,
  withoutListedControllers,
} from './manifest-workloads.ts';

/** The cluster described by manifest files, plus what was skipped and why. */
export interface LoadedManifests {
  readonly cluster: Required<Omit<ClusterInput, 'nodes'>> & Pick<ClusterInput, 'nodes'>;
  readonly files: readonly string[];
  /** Objects that were read but cannot be modelled (hostNetwork pods, documents without kind …). */
  readonly warnings: readonly string[];
  /** Count of objects of kinds that do not affect reachability (ConfigMap, Ingress, RBAC …). */
  readonly ignoredKinds: Readonly<Record<string, number>>;
  /** Count of objects left out because the user asked (`--ignore-kind`), by `Kind.group`. */
  readonly leftOut: Readonly<Record<string, number>>;
}

export interface LoadOptions {
  /** Namespace of objects without metadata.namespace (as `kubectl apply` would use). Default `default`. */
  readonly defaultNamespace?: string;
  /**
   * Kinds to leave out on purpose (`--ignore-kind`). Without it, an object of a policy API group the
   * engine does not evaluate (Calico, Antrea, ClusterNetworkPolicy …) is an error: skipping it would
   * report its traffic as allowed.
   */
  readonly ignoreKinds?: readonly KindFilter[];
}

/** The refusal of a policy object the engine does not evaluate, on its `kind` line. */
function unevaluated(m: ManifestObject, apiVersion: string, kind: string, vendor: string): Error {
  const q = qualifiedKind(apiVersion, kind);
  return new Error(
    `${m.locate(['kind'])}: kind: ${kind} (${apiVersion}, ${vendor}) is a policy prober does not evaluate; skipping it would report the traffic it governs as allowed. Remove it, or leave such objects out knowingly with --ignore-kind ${q} (simulate, check, run)`,
  );
}

/**
 * Reads manifest files/directories (relative to `io.cwd`; `-` is `io.stdin`) and collects what
 * reachability depends on. Policies are
 * checked here, so an unsupported field is reported at its own file:line.
 */
export async function loadManifests(
  paths: readonly string[],
  io: InputIo,
  options: LoadOptions = {},
): Promise<LoadedManifests> {
  // Lists (`kind: List`, `PodList` …) come back as their items, at their own lines.
  const { files, objects } = await readManifestObjects(paths, io);
  return modelObjects(objects, files, options);
}

/**
 * The engine's inputs from Kubernetes objects, wherever they were read: files, or a live cluster
 * (`simulate --cluster`), whose objects are located as `cluster Kind ns/name` instead of `file:line`.
 * One path from objects on, so a live read refuses, warns and models exactly as a file does.
 */
export function modelObjects(
  objects: readonly ManifestObject[],
  files: readonly string[],
  options: LoadOptions = {},
): LoadedManifests {
  // Names as the API server would accept them, before any of them is used.
  checkManifestNames(objects);
  const defaultNs = options.defaultNamespace ?? 'default';
  const ignore = options.ignoreKinds ?? [];
  const namespaces: NamespaceInput[] = [];
  const workloads: ReadWorkload[] = [];
  const services: ServiceInput[] = [];
  const policies: PolicyInput[] = [];
  const nodes: NodeInput[] = [];
  const warnings: string[] = [];
  const ignoredKinds: Record<string, number> = {};
  const leftOut: Record<string, number> = {};
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
    const apiVersion = typeof o?.apiVersion === 'string' ? o.apiVersion : '';
    if (typeof kind === 'string' && ignore.some((f) => kindMatches(f, apiVersion, kind))) {
      const q = qualifiedKind(apiVersion, kind);
      leftOut[q] = (leftOut[q] ?? 0) + 1;
      continue;
    }
    const role = typeof kind === 'string' ? classifyObject(apiVersion, kind) : { role: 'other' as const };
    if (role.role === 'unevaluated-policy') throw unevaluated(at, apiVersion, kind as string, role.vendor);
    // A policy without a name is refused by the parser below, never skipped.
    if (!o || typeof kind !== 'string' || (typeof meta?.name !== 'string' && role.role !== 'evaluated')) {
      warnings.push(`${at.source}: skipped: not a Kubernetes object (needs kind and metadata.name)`);
      continue;
    }
    const name = typeof meta?.name === 'string' ? meta.name : '';
    const namespace = typeof meta?.namespace === 'string' ? meta.namespace : defaultNs;
    const id = `${kind} ${kind === 'Namespace' || kind === 'Node' ? '' : `${namespace}/`}${name}`;
    if (seen.has(id)) throw new Error(`${at.source}: ${id} is already declared at ${seen.get(id)}`);
    seen.set(id, at.source);

    if (role.role === 'evaluated') {
      const input: PolicyInput = { manifest: o, source: at.source, namespace: defaultNs };
      try {
        parsePolicy(input);
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        // One location, the most precise: the offending field's own line (not the document's too).
        const field = formatPath(error.path);
        throw new Error(`${at.locate(error.path)}: ${error.policy}: ${field ? `${field}: ` : ''}${error.detail}`);
      }
      policies.push(input);
    } else if (kind === 'Namespace') {
      namespaces.push({ name, labels: strings(meta?.labels) });
    } else if (kind === 'Node') {
      // What ClusterNetworkPolicy `nodes` peers select: labels, and the IPs of status.addresses.
      const addresses = Array.isArray(obj(o.status)?.addresses) ? (obj(o.status)!.addresses as unknown[]) : [];
      nodes.push({
        name,
        labels: strings(meta?.labels),
        addresses: addresses.flatMap((a) => (typeof obj(a)?.address === 'string' ? [obj(a)!.address as string] : [])),
      });
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
      const w = readWorkload(o, kind, name, namespace, at);
      if ('note' in w) warnings.push(w.note);
      else workloads.push(w);
    } else {
      ignoredKinds[kind] = (ignoredKinds[kind] ?? 0) + 1;
    }
  }
  // Node manifests among the inputs are taken as the cluster's nodes; without any, `nodes` peers stay undecidable.
  const cluster = {
    namespaces,
    workloads: withoutListedControllers(workloads),
    services,
    policies,
    ...(nodes.length > 0 ? { nodes } : {}),
  };
  return { cluster, files, warnings, ignoredKinds, leftOut };
}
