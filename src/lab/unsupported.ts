// Manifest fields the lab would have to honour to run a pod as a cluster does, but does not
// implement: refused at load with file:line and field, rather than silently run differently.

import { type ConfigError, configErrorAt } from '../config/config-error.ts';
import type { ManifestObject } from '../config/manifest-files.ts';
import { at, obj, type Path } from '../config/manifest-workloads.ts';
import { TEMPLATE_KINDS } from './topology.ts';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `spec.template.spec.volumes[0].configMap.items`: the paths here hold identifiers and indexes only. */
function fieldName(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function fail(object: ManifestObject, path: Path, message: string): ConfigError {
  return configErrorAt(object.locate(path), fieldName(path), message);
}

/**
 * Throws a ConfigError for the first ConfigMap volume projecting chosen keys to chosen paths
 * (`configMap.items`) and the first mount of a ConfigMap volume with `subPath`/`subPathExpr`, in
 * the pods the lab runs: the lab writes every key of a ConfigMap as a file of the key's name in the
 * mounted directory, so either would put files where the pod would not have them.
 */
export function checkLabSupport(objects: readonly ManifestObject[]): void {
  for (const object of objects) {
    const kind = obj(object.value)?.kind;
    if (typeof kind !== 'string' || (kind !== 'Pod' && !TEMPLATE_KINDS.has(kind))) continue;
    const spec: Path = kind === 'Pod' ? ['spec'] : ['spec', 'template', 'spec'];
    const podSpec = obj(at(object.value, spec)) ?? {};
    if (podSpec.hostNetwork === true) continue;
    const configVolumes = new Set<string>();
    for (const [i, volume] of list(podSpec.volumes).entries()) {
      const configMap = obj(obj(volume)?.configMap);
      if (!configMap) continue;
      configVolumes.add(String(obj(volume)?.name));
      if (list(configMap.items).length > 0)
        throw fail(
          object,
          [...spec, 'volumes', i, 'configMap', 'items'],
          'the lab does not implement ConfigMap items (key → path): it writes every key as a file of its own name; mount the whole ConfigMap',
        );
    }
    for (const key of ['containers', 'initContainers'] as const) {
      for (const [c, container] of list(podSpec[key]).entries()) {
        for (const [m, mount] of list(obj(container)?.volumeMounts).entries()) {
          if (!configVolumes.has(String(obj(mount)?.name))) continue;
          for (const field of ['subPath', 'subPathExpr'] as const) {
            if (obj(mount)?.[field] === undefined) continue;
            throw fail(
              object,
              [...spec, key, c, 'volumeMounts', m, field],
              `the lab does not implement ${field} for ConfigMap volumes: mount the whole ConfigMap at a directory`,
            );
          }
        }
      }
    }
  }
}
