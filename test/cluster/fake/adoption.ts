// Workload controllers of the fake cluster: a ReplicaSet claims the orphan pods its selector matches and
// deletes a surplus, the least ready first, as kube-controller-manager does (pkg/controller/
// controller_ref_manager.go ClaimPods, replicaset/replica_set.go manageReplicas and getPodsToDelete,
// controller_utils.go ActivePodsWithRanks). Also the API server's rules for owner references on a created pod:
// ValidateOwnerReferences (one controller at most) and OwnerReferencesPermissionEnforcement.

import * as status from './status.ts';

type Json = Record<string, any>;

/** A ReplicaSet as a test declares it: its selector (matchLabels) and how many pods it wants. */
export interface ReplicaSetFixture {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Record<string, string>;
  /** Default: as many as it claims when added. */
  readonly replicas?: number;
}

/** What the controllers need of the pod store. */
export interface PodStore {
  all(namespace: string): Json[];
  delete(namespace: string, name: string): unknown;
  bump(pod: Json): void;
}

const controllerOf = (pod: Json): Json | undefined =>
  ((pod.metadata.ownerReferences ?? []) as Json[]).find((ref) => ref.controller === true);

const ready = (pod: Json): boolean =>
  ((pod.status?.conditions ?? []) as Json[]).some((c) => c.type === 'Ready' && c.status === 'True');

/** Active: neither finished nor being deleted (controller.FilterActivePods). */
const active = (pod: Json): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata.deletionTimestamp;

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };
const restarts = (pod: Json): number =>
  Math.max(0, ...((pod.status?.containerStatuses ?? []) as Json[]).map((s) => Number(s.restartCount ?? 0)));

/**
 * The order in which a ReplicaSet deletes surplus pods (ActivePodsWithRanks.Less): unscheduled before
 * scheduled, Pending before Unknown before Running, not Ready before Ready, lower pod-deletion-cost
 * first, more restarts first, newer first (the fake has no nodes, so no rank by co-located pods, and no
 * ready-since order).
 */
function deleteFirst(a: Json, b: Json): number {
  const scheduled = (pod: Json): number => (pod.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const phase = (pod: Json): number => PHASE_ORDER[String(pod.status?.phase)] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  if (ready(a) !== ready(b)) return ready(a) ? 1 : -1;
  const cost = (pod: Json): number =>
    Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  if (cost(a) !== cost(b)) return cost(a) - cost(b);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp));
}

/** The fake's ReplicaSet controller. */
export class FakeControllers {
  readonly #pods: PodStore;
  readonly #sets: (ReplicaSetFixture & { uid: string; replicas: number })[] = [];
  /** Pods a controller adopted (`namespace/name → ReplicaSet`) and deleted, for assertions. */
  readonly adopted = new Map<string, string>();
  readonly deleted: string[] = [];
  /** Pods the garbage collector deleted because their owners were gone. */
  readonly collected: string[] = [];

  constructor(pods: PodStore) {
    this.#pods = pods;
  }

  /** The scale (wanted replicas) of the ReplicaSet with this uid, as the disruption controller finds it. */
  scaleOf(uid: string): number | undefined {
    return this.#sets.find((s) => s.uid === uid)?.replicas;
  }

  /** Adds a ReplicaSet; it claims the matching orphans at once. */
  addReplicaSet(fixture: ReplicaSetFixture): void {
    const set = { ...fixture, uid: `rs-${fixture.namespace}-${fixture.name}`, replicas: fixture.replicas ?? 0 };
    this.#sets.push(set);
    const claimed = this.#claim(set);
    if (fixture.replicas === undefined) set.replicas = claimed.length;
  }

  /** ClaimPods: keeps its own pods, adopts matching orphans; pods another controller owns are ignored. */
  #claim(set: ReplicaSetFixture & { uid: string }): Json[] {
    const matches = (pod: Json): boolean =>
      Object.entries(set.selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
    const claimed: Json[] = [];
    for (const pod of this.#pods.all(set.namespace).filter(active)) {
      const controller = controllerOf(pod);
      if (controller) {
        if (controller.uid === set.uid && matches(pod)) claimed.push(pod);
        continue;
      }
      if (!matches(pod)) continue;
      pod.metadata.ownerReferences = [
        ...((pod.metadata.ownerReferences ?? []) as Json[]),
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: set.name,
          uid: set.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ];
      this.#pods.bump(pod);
      this.adopted.set(`${set.namespace}/${pod.metadata.name}`, set.name);
      claimed.push(pod);
    }
    return claimed;
  }

  /**
   * The garbage collector (background propagation): a pod whose owners are all gone is deleted
   * (pkg/controller/garbagecollector: attemptToDeleteItem, once no owner resolves).
   */
  collectGarbage(namespace: string): void {
    const pods = this.#pods.all(namespace);
    const alive = new Set([...pods.map((p) => p.metadata.uid), ...this.#sets.map((s) => s.uid)]);
    for (const pod of pods) {
      const owners = (pod.metadata.ownerReferences ?? []) as Json[];
      if (owners.length === 0 || owners.some((owner) => alive.has(owner.uid))) continue;
      this.collected.push(`${namespace}/${pod.metadata.name}`);
      this.#pods.delete(namespace, String(pod.metadata.name));
    }
  }

  /** One sync of every ReplicaSet of the namespace, as after a pod event there: claim, then delete a surplus. */
  sync(namespace: string): void {
    for (const set of this.#sets.filter((s) => s.namespace === namespace)) {
      const claimed = this.#claim(set);
      const surplus = claimed.length - set.replicas;
      if (surplus <= 0) continue;
      for (const pod of [...claimed].sort(deleteFirst).slice(0, surplus)) {
        this.deleted.push(`${namespace}/${pod.metadata.name}`);
        this.#pods.delete(namespace, String(pod.metadata.name));
      }
    }
  }
}

/**
 * The API server's checks of a created pod's owner references: at most one may be the controller
 * (apimachinery ValidateOwnerReferences), and setting any needs `delete` on the object, blocking an
 * owner's deletion also `delete` on the owner (plugin/pkg/admission/gc OwnerReferencesPermissionEnforcement).
 */
export function admitOwnerReferences(pod: Json, may: (verb: string, resource: string) => boolean): void {
  const refs = (pod.metadata?.ownerReferences ?? []) as Json[];
  if (refs.length === 0) return;
  const name = String(pod.metadata?.name ?? '');
  const controllers = refs.filter((ref) => ref.controller === true);
  if (controllers.length > 1)
    throw status.invalid('pods', name, [
      `metadata.ownerReferences: Invalid value: []v1.OwnerReference{…}: Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((r) => `${r.kind}/${r.name}`).join(' and ')}`,
    ]);
  for (const ref of refs)
    if (!ref.uid || !ref.name || !ref.kind || !ref.apiVersion)
      throw status.invalid('pods', name, ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']);
  const deny = (message: string): never => {
    throw new status.StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
  };
  if (!may('delete', 'pods')) deny("cannot set an ownerRef on a resource you can't delete");
  for (const ref of refs.filter((r) => r.blockOwnerDeletion === true))
    if (ref.kind !== 'Pod' || !may('delete', 'pods'))
      deny("cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't delete");
}
