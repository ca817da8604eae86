// The ServiceAccount admission plugin of a pod create (plugin/pkg/admission/serviceaccount/admission.go,
// Admit): a pod without `serviceAccountName` gets `default`, and one naming a service account its
// namespace lacks is refused with 403, as `kubectl run` in the wrong namespace is:
//   pods "prober" is forbidden: error looking up service account default/prober: serviceaccount "prober" not found
// Every namespace has `default` (the service account controller makes it); a workload pod added by a test
// brings its own, and a test adds others (or they come with the RBAC manifests it enforces).

import { StatusError } from './status.ts';

type Json = Record<string, any>;

/** The service accounts of the fake cluster and the plugin over them. */
export class FakeServiceAccounts {
  readonly #known = new Set<string>();

  /** A ServiceAccount `name` now exists in `namespace`. */
  add(namespace: string, name: string): void {
    this.#known.add(`${namespace}/${name}`);
  }

  /** Adds the ServiceAccount objects among `objects` (e.g. prober's rendered `k8s/prober/`). */
  addFrom(objects: readonly Json[]): void {
    for (const o of objects.filter((o) => o.kind === 'ServiceAccount'))
      this.add(String(o.metadata?.namespace ?? 'default'), String(o.metadata?.name));
  }

  has(namespace: string, name: string): boolean {
    return name === 'default' || this.#known.has(`${namespace}/${name}`);
  }

  /** `Admit` on a pod create: defaults the service account, refuses one that does not exist. A mirror pod is left alone. */
  admit(pod: Json, namespace: string): void {
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    pod.spec ??= {};
    const spec = pod.spec;
    spec.serviceAccountName ||= 'default';
    const name = String(spec.serviceAccountName);
    if (this.has(namespace, name)) return;
    const podName = String(pod.metadata?.name ?? '');
    throw new StatusError(
      403,
      'Forbidden',
      `pods "${podName}" is forbidden: error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
      { name: podName, kind: 'pods' },
    );
  }
}
