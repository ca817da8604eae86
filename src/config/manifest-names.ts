// Names in Kubernetes manifests checked as the API server would, before anything uses them: the lab
// turns them into host paths and namespace names, so a name the API would refuse never gets that far.

import { hostProblem, type NameRule, nameProblem, quoteName } from '../model/k8s-names.ts';
import { kindDescriptor, POLICY_KIND_NAMES } from '../policy/index.ts';
import { type ConfigError, configErrorAt } from './config-error.ts';
import type { ManifestObject } from './manifest-files.ts';
import { at, obj, type Path, templatePath } from './manifest-workloads.ts';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The rule of each kind's metadata.name (kinds prober reads; others are left to their own parsers). */
const NAME_RULES: Readonly<Record<string, NameRule>> = {
  Namespace: 'dns1123-label',
  Service: 'dns1035-label',
  ConfigMap: 'dns1123-subdomain',
  Ingress: 'dns1123-subdomain',
  Pod: 'dns1123-subdomain',
  Deployment: 'dns1123-subdomain',
  StatefulSet: 'dns1123-subdomain',
  DaemonSet: 'dns1123-subdomain',
  ReplicaSet: 'dns1123-subdomain',
  ReplicationController: 'dns1123-subdomain',
  Job: 'dns1123-subdomain',
  CronJob: 'dns1123-subdomain',
  // Policies (their names appear in every explanation and report): the rule of each kind's descriptor.
  ...Object.fromEntries(POLICY_KIND_NAMES.map((kind) => [kind, kindDescriptor(kind).nameRule])),
};

/** `spec.containers[0].name`; keys that are not identifiers are quoted (`data["a b"]`). */
function fieldName(path: Path): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (!/^[A-Za-z_][\w-]*$/.test(part)) return `[${quoteName(part)}]`;
      return i === 0 ? part : `.${part}`;
    })
    .join('');
}

/** The error for one field, anchored on that field's own line. */
function fail(object: ManifestObject, path: Path, message: string): ConfigError {
  return configErrorAt(object.locate(path), fieldName(path), message);
}

/** Checks one name; `required` names that are missing are errors too. */
function check(object: ManifestObject, path: Path, rule: NameRule, what: string, required = false): void {
  const value = at(object.value, path);
  if (value === undefined) {
    if (required) throw fail(object, path, `${what} is required`);
    return;
  }
  const problem = nameProblem(rule, value);
  if (problem) throw fail(object, path, `${quoteName(value)} is not a valid ${what}: ${problem}`);
}

/** Containers, volumes and mounts of one pod spec: names unique, mounts naming a declared volume. */
function checkPodSpec(object: ManifestObject, spec: Path): void {
  const podSpec = obj(at(object.value, spec)) ?? {};
  const volumes = new Set<string>();
  for (const [i, volume] of list(podSpec.volumes).entries()) {
    check(object, [...spec, 'volumes', i, 'name'], 'dns1123-label', 'volume name', true);
    const name = String(obj(volume)?.name);
    if (volumes.has(name))
      throw fail(object, [...spec, 'volumes', i, 'name'], `duplicate volume name ${quoteName(name)}`);
    volumes.add(name);
    check(object, [...spec, 'volumes', i, 'configMap', 'name'], 'dns1123-subdomain', 'ConfigMap name');
  }
  const containers = new Set<string>();
  for (const key of ['containers', 'initContainers'] as const) {
    for (const [i, container] of list(podSpec[key]).entries()) {
      const path = [...spec, key, i];
      check(object, [...path, 'name'], 'dns1123-label', 'container name', true);
      const name = String(obj(container)?.name);
      if (containers.has(name)) throw fail(object, [...path, 'name'], `duplicate container name ${quoteName(name)}`);
      containers.add(name);
      for (const [m, mount] of list(obj(container)?.volumeMounts).entries()) {
        check(object, [...path, 'volumeMounts', m, 'name'], 'dns1123-label', 'volume name', true);
        const volume = String(obj(mount)?.name);
        if (!volumes.has(volume))
          throw fail(
            object,
            [...path, 'volumeMounts', m, 'name'],
            `volume ${quoteName(volume)} is not declared in volumes`,
          );
        const mountPath = obj(mount)?.mountPath;
        if (typeof mountPath !== 'string' || mountPath === '')
          throw fail(object, [...path, 'volumeMounts', m, 'mountPath'], 'mountPath is required');
      }
    }
  }
}

/**
 * Checks the names in manifest objects as the API server would: namespaces, workload, Service,
 * ConfigMap and policy names, container and volume names, ConfigMap keys and Ingress hosts. Throws a
 * ConfigError naming the file, line and field of the first bad one. Objects without a kind or of
 * other kinds are left to their readers.
 */
export function checkManifestNames(objects: readonly ManifestObject[]): void {
  for (const object of objects) {
    const kind = obj(object.value)?.kind;
    if (typeof kind !== 'string') continue;
    check(object, ['metadata', 'namespace'], 'dns1123-label', 'namespace name');
    // Own keys only: `constructor` or `toString` is no kind prober reads, not an Object member.
    const rule = Object.hasOwn(NAME_RULES, kind) ? NAME_RULES[kind] : undefined;
    if (rule) check(object, ['metadata', 'name'], rule, `${kind} name`);
    const template = templatePath(kind);
    if (template) checkPodSpec(object, [...template, 'spec']);
    if (kind === 'ConfigMap') {
      for (const field of ['data', 'binaryData'] as const) {
        for (const key of Object.keys(obj(at(object.value, [field])) ?? {})) {
          const problem = nameProblem('config-key', key);
          if (problem) throw fail(object, [field, key], `${quoteName(key)} is not a valid ConfigMap key: ${problem}`);
        }
      }
    }
    if (kind === 'Ingress') {
      for (const [i, rule] of list(at(object.value, ['spec', 'rules'])).entries()) {
        const host = obj(rule)?.host;
        const problem = host === undefined ? undefined : hostProblem(host);
        if (problem)
          throw fail(
            object,
            ['spec', 'rules', i, 'host'],
            `${quoteName(host)} is not a valid Ingress host: ${problem}`,
          );
      }
    }
  }
}
