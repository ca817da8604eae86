// The fake API server's pods: create, delete, ephemeral-container patches and logs, with the fake
// kubelet taking each container through its states and the pods' network namespaces for the agents.

import { randomBytes } from 'node:crypto';
import { refuseStaticPod } from './admission-refusals.ts';
import { type ContainerHandle, FakeKubelet } from './kubelet.ts';
import { checkStoredSize } from './object-size.ts';
import { type PodFixture, workloadPod } from './objects.ts';
import { applyEphemeralPatch } from './patch.ts';
import { chargeAgents } from './pod-memory.ts';
import * as status from './status.ts';
import { ephemeralErrors, podErrors } from './validate.ts';

type Json = Record<string, unknown>;

/** The node the fake scheduler binds pods to. */
export const FAKE_NODE = 'fake-node-1';

const key = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;
const meta = (object: Json): Json => object.metadata as Json;
const labelsOf = (object: Json): Record<string, string> => (meta(object).labels ?? {}) as Record<string, string>;

/** Pods of the fake cluster and what the API server does with them. Errors are thrown as StatusError. */
export class FakePods {
  readonly kubelet = new FakeKubelet();
  /** Probe pods that ever reported Ready (must stay empty: Services must never route to them). */
  readonly everReady: string[] = [];
  readonly #pods = new Map<string, Json>();
  readonly #netns = new Map<string, string>();
  readonly #workloads: { labels: Record<string, string>; netns: string; node?: string }[] = [];
  readonly #bump: (object: Json) => void;
  readonly #hasNamespace: (name: string) => boolean;
  /** Mutating steps every created pod passes before it is validated (mutating webhooks, e.g. sidecar injection). */
  readonly admission: ((pod: Json, namespace: string) => void)[] = [];
  /** Runners of containers that are not the agent (a mesh's sidecar proxy), stopped with their pod. */
  readonly sidecars: { runs(c: Json): boolean; start(h: ContainerHandle): void; stop(pod: Json): void }[] = [];
  /** Hear each pod created or deleted in a namespace, as controllers watching pods do. */
  readonly created: ((namespace: string) => void)[] = [];
  readonly removed: ((namespace: string) => void)[] = [];
  /** Admission plugins of a pod create (LimitRanger, ResourceQuota): may change the pod, or throw a 403. */
  readonly #admit: (namespace: string, pod: Json) => void;
  /** Validating admission of creates and ephemeral-container updates (Pod Security): throws to refuse the pod as it would be stored. */
  readonly #validate: (namespace: string, pod: Json) => void;

  constructor(
    bump: (object: Json) => void,
    hasNamespace: (name: string) => boolean,
    admit: (namespace: string, pod: Json) => void = () => undefined,
    validate: (namespace: string, pod: Json) => void = () => undefined,
  ) {
    this.#bump = bump;
    this.#hasNamespace = hasNamespace;
    this.#admit = admit;
    this.#validate = validate;
  }

  /** Adds a workload pod; with a network namespace, its agents (and probe pods with its labels) run there. */
  add(fixture: PodFixture): Json {
    const pod = workloadPod(fixture);
    meta(pod).uid = randomBytes(8).toString('hex');
    this.#bump(pod);
    this.#pods.set(key(fixture.namespace, fixture.name), pod);
    if (fixture.netns) {
      this.#netns.set(key(fixture.namespace, fixture.name), fixture.netns);
      this.#workloads.push({
        labels: fixture.labels,
        netns: fixture.netns,
        ...(fixture.nodeName ? { node: fixture.nodeName } : {}),
      });
    }
    return pod;
  }

  /** The network namespace a pod's containers (and commands exec'd in them) run in, if any. */
  netnsOf(namespace: string, name: string): string | undefined {
    return this.#netns.get(key(namespace, name));
  }

  /** Pods now stored, optionally of one namespace. */
  all(namespace?: string): Json[] {
    return [...this.#pods.values()].filter((pod) => namespace === undefined || meta(pod).namespace === namespace);
  }

  /** The pod, or a 404. */
  get(namespace: string | undefined, name: string | undefined): Json {
    const pod = this.#pods.get(key(namespace, name));
    if (!pod) throw status.notFound('pods', name ?? '');
    return pod;
  }

  /** POST: validates the pod like the API server, stores it, and lets the kubelet start its containers. */
  create(namespace: string, body: string, contentType: string): Json {
    if (!contentType.startsWith('application/json'))
      throw status.unsupportedMediaType([
        'application/json',
        'application/yaml',
        'application/vnd.kubernetes.protobuf',
      ]);
    const pod = JSON.parse(body) as Json;
    const name = String((pod.metadata as Json | undefined)?.name ?? '');
    if (!this.#hasNamespace(namespace)) throw status.notFound('namespaces', namespace);
    const given = (pod.metadata as Json | undefined)?.namespace;
    if (given !== undefined && given !== namespace)
      throw status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    // Mutating webhooks (a mesh injecting its sidecar) come before validation, as in the API server.
    for (const admit of this.admission) admit(pod, namespace);
    const errors = podErrors(pod);
    if (errors.length > 0) throw status.invalid('pods', name, errors);
    this.#admit(namespace, pod);
    this.#validate(namespace, pod);
    checkStoredSize(pod);
    if (this.#pods.has(key(namespace, name))) throw status.alreadyExists('pods', name);
    Object.assign(meta(pod), {
      namespace,
      uid: randomBytes(8).toString('hex'),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    this.#bump(pod);
    this.#pods.set(key(namespace, name), pod);
    const delay = this.kubelet.schedulingDelayMs;
    if (delay > 0) {
      // No node fits yet (the scheduler's message for a full cluster); a node frees up after the delay.
      pod.status = {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
          },
        ],
      };
      setTimeout(() => this.#bind(namespace, pod), delay).unref();
    } else this.#bind(namespace, pod);
    for (const hear of this.created) hear(namespace);
    return pod;
  }

  /** The scheduler binds the pod to a node (spec.nodeName); the node's kubelet starts its containers. */
  #bind(namespace: string, pod: Json): void {
    if (this.#pods.get(key(namespace, String(meta(pod).name))) !== pod || meta(pod).deletionTimestamp) return;
    // A required node affinity naming one node (a matchFields on metadata.name) binds the pod there.
    (pod.spec as Json).nodeName ??= pinnedNode(pod) ?? FAKE_NODE;
    pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] };
    this.#bump(pod);
    // The CNI gives a pod with a workload's labels that workload's network: the same policies apply;
    // among several such workload pods, the one on the same node (as its zone's network is).
    const labels = labelsOf(pod);
    const matching = this.#workloads.filter((w) =>
      Object.entries(w.labels).every(([k, v]) => k === 'pod-template-hash' || labels[k] === v),
    );
    const netns = (matching.find((w) => w.node === (pod.spec as Json).nodeName) ?? matching[0])?.netns;
    if (netns) this.#netns.set(key(namespace, String(meta(pod).name)), netns);
    for (const container of ((pod.spec as Json).containers ?? []) as Json[]) {
      const handle = { pod, container, ephemeral: false, netns, changed: () => this.#podChanged(pod) };
      const sidecar = this.sidecars.find((s) => s.runs(container));
      if (sidecar) sidecar.start(handle);
      else this.kubelet.start(handle);
    }
  }

  /** Recomputes phase and conditions of a pod prober created, as the kubelet reports them. */
  #podChanged(pod: Json): void {
    this.#bump(pod);
    const podStatus = pod.status as Json;
    const containers = ((pod.spec as Json).containers ?? []) as Json[];
    const statuses = (podStatus.containerStatuses ?? []) as Json[];
    const stateOf = (c: Json): Json => (statuses.find((s) => s.name === c.name)?.state ?? {}) as Json;
    const terminated = containers.map(stateOf).filter((s) => s.terminated);
    // A container with a readiness probe is Ready only once the probe passes; prober's never does.
    const ready = containers.every((c) => stateOf(c).running && !c.readinessProbe);
    for (const s of statuses) s.ready = ready;
    if (terminated.length === containers.length)
      podStatus.phase = terminated.every((s) => (s.terminated as Json).exitCode === 0) ? 'Succeeded' : 'Failed';
    else if (containers.some((c) => stateOf(c).running)) podStatus.phase = 'Running';
    podStatus.podIP = '10.244.1.50';
    podStatus.podIPs = [{ ip: '10.244.1.50' }];
    podStatus.conditions = [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) },
    ];
    if (ready && labelsOf(pod)['prober.dev/run-id']) this.everReady.push(String(meta(pod).name));
  }

  /**
   * DELETE, as podStrategy.CheckGracefulDelete and rest.BeforeDelete do it: the grace period is the
   * request's, else spec.terminationGracePeriodSeconds (30); 0 for a pod on no node or one that has
   * finished, which goes at once. Otherwise the pod gets deletionTimestamp and
   * deletionGracePeriodSeconds and stays (Terminating) until the kubelet has stopped its containers.
   * A pod already terminating is answered as stored.
   */
  delete(namespace: string | undefined, name: string | undefined, gracePeriodSeconds?: number): Json {
    const pod = this.get(namespace, name);
    if (meta(pod).deletionTimestamp) return pod;
    const spec = pod.spec as Json;
    const phase = (pod.status as Json | undefined)?.phase;
    let grace = gracePeriodSeconds ?? Number(spec.terminationGracePeriodSeconds ?? 30);
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    const stamp = (seconds: number): string =>
      new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    if (grace <= 0) {
      this.#remove(pod);
      return { ...pod, metadata: { ...meta(pod), deletionTimestamp: stamp(0), deletionGracePeriodSeconds: 0 } };
    }
    Object.assign(meta(pod), { deletionTimestamp: stamp(grace), deletionGracePeriodSeconds: grace });
    this.#bump(pod);
    for (const sidecar of this.sidecars) sidecar.stop(pod);
    this.kubelet.terminatePod(pod, grace * 1000, () => this.#remove(pod));
    return pod;
  }

  /** Removes the pod from storage (its processes are killed), unless another of its name replaced it. */
  #remove(pod: Json): void {
    const podKey = key(String(meta(pod).namespace), String(meta(pod).name));
    if (this.#pods.get(podKey) !== pod) return;
    this.kubelet.stopPod(pod);
    for (const sidecar of this.sidecars) sidecar.stop(pod);
    this.#pods.delete(podKey);
    for (const hear of this.removed) hear(String(meta(pod).namespace));
  }

  /** PATCH of `pods/ephemeralcontainers`: applies, validates, and starts new ephemeral containers. */
  patchEphemeral(namespace: string | undefined, name: string | undefined, body: string, contentType: string): Json {
    const pod = this.get(namespace, name);
    refuseStaticPod(pod);
    const patched = applyEphemeralPatch(pod, contentType, body);
    const spec = pod.spec as Json;
    const before = (spec.ephemeralContainers ?? []) as Json[];
    const after = ((patched.spec as Json).ephemeralContainers ?? []) as Json[];
    const others = [...((spec.initContainers ?? []) as Json[]), ...((spec.containers ?? []) as Json[])].map((c) =>
      String(c.name),
    );
    const errors = ephemeralErrors(before, after, others);
    if (errors.length > 0) throw status.invalid('pods', name ?? '', errors);
    this.#validate(namespace ?? '', { ...pod, spec: { ...spec, ephemeralContainers: after } });
    checkStoredSize({ ...pod, spec: { ...spec, ephemeralContainers: after } });
    spec.ephemeralContainers = after;
    this.#bump(pod);
    const netns = this.#netns.get(key(namespace, name));
    const added = after.filter((c) => !before.some((b) => b.name === c.name));
    for (const container of added) {
      // The kubelet starts ephemeral containers only in running pods.
      if ((pod.status as Json).phase === 'Running')
        this.kubelet.start({ pod, container, ephemeral: true, netns, changed: () => this.#bump(pod) });
    }
    // The agents now running share the pod's memory cgroup with the workload.
    const running = after.filter((c) => {
      const state = ((pod.status as Json).ephemeralContainerStatuses as Json[] | undefined)?.find(
        (s) => s.name === c.name,
      )?.state as Json | undefined;
      return !state?.terminated;
    }).length;
    if (added.length > 0 && chargeAgents(pod, running)) this.#bump(pod);
    return pod;
  }

  /** GET of `pods/log`: the container's output, or the API server's 400 for a container not started. */
  log(namespace: string | undefined, name: string | undefined, container: string | null): string {
    const pod = this.get(namespace, name);
    const spec = pod.spec as Json;
    const all = [...((spec.containers ?? []) as Json[]), ...((spec.ephemeralContainers ?? []) as Json[])].map((c) =>
      String(c.name),
    );
    if (!container && all.length > 1)
      throw status.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
    const wanted = container ?? all[0] ?? '';
    if (!all.includes(wanted)) throw status.badRequest(`container ${wanted} is not valid for pod ${name}`);
    const podStatus = pod.status as Json;
    const statuses = [
      ...((podStatus.containerStatuses ?? []) as Json[]),
      ...((podStatus.ephemeralContainerStatuses ?? []) as Json[]),
    ];
    const waiting = (statuses.find((s) => s.name === wanted)?.state as Json | undefined)?.waiting as Json | undefined;
    if (waiting)
      throw status.badRequest(`container "${wanted}" in pod "${name}" is waiting to start: ${String(waiting.reason)}`);
    return this.kubelet.log(pod, wanted);
  }
}

/** The one node a pod's required node affinity names in every term (`matchFields` metadata.name In [node]), if any. */
function pinnedNode(pod: Json): string | undefined {
  const terms = ((pod.spec as Json).affinity as Json | undefined)?.nodeAffinity as Json | undefined;
  const required = (terms?.requiredDuringSchedulingIgnoredDuringExecution as Json | undefined)?.nodeSelectorTerms;
  const names = ((required ?? []) as Json[]).map((term) =>
    ((term.matchFields ?? []) as Json[]).find((f) => f.key === 'metadata.name' && f.operator === 'In'),
  );
  const values = names.map((f) => (f?.values as string[] | undefined) ?? []);
  return values.length > 0 && values.every((v) => v.length === 1 && v[0] === values[0]?.[0])
    ? values[0]?.[0]
    : undefined;
}
