// A fake Kubernetes API server over real HTTPS for tests: there is no cluster on these machines, so this
// serves exactly the endpoints prober uses, with real paths, verbs, content types, Status errors, RBAC
// (Roles per namespace, ClusterRoles), injected faults, pod status transitions and logs — and validates
// everything prober sends. This file holds the objects and what tests call; handler.ts answers a request,
// served.ts says what is served, authorizer.ts who may, routes.ts what each route does, faults.ts what a
// test injects, pods.ts and kubelet.ts the pods.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { FakeAdmission } from './admission.ts';
import { enforcePodSecurity } from './admission-refusals.ts';
import { admitOwnerReferences, FakeControllers } from './adoption.ts';
import { FakeAuthorizer } from './authorizer.ts';
import { FakeCustomApi } from './custom-api.ts';
import { ExpiringLists } from './discovery.ts';
import { type PdbFixture, pdbObject } from './disruption.ts';
import { FakeEndpointSlices } from './endpoint-slices.ts';
import { FakeExec } from './exec.ts';
import { FakeFaults } from './faults.ts';
import { type Handling, handle, type SeenRequest } from './handler.ts';
import type { FakeKubelet } from './kubelet.ts';
import { FakeMesh } from './mesh.ts';
import { type PodFixture, type ServiceFixture, service } from './objects.ts';
import { PodSecurityAdmission } from './pod-security/admission.ts';
import { FakePods } from './pods.ts';
import { key, labelsOf, meta, type Stored } from './routes.ts';
import { ServedResources } from './served.ts';
import { FakeServiceAccounts } from './service-accounts.ts';
import { makeCertificate } from './tls.ts';
import type { RawAnswer } from './transport-faults.ts';
import { FakeWebhooks } from './webhooks.ts';

type Json = Record<string, unknown>;

/** Objects as tests read them back: any field may be looked at. */
export type StoredObject = Record<string, any>;

export type { SeenRequest } from './handler.ts';

/** The fake API server. Start one per test with {@link FakeApiServer.start}; it stops at teardown. */
export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  /** Who the token is: prober's service account as `k8s/prober/` names it. */
  readonly user = 'system:serviceaccount:prober:prober';
  readonly groups = ['system:serviceaccounts', 'system:serviceaccounts:prober', 'system:authenticated'];
  readonly token = randomBytes(16).toString('hex');
  readonly #server: Server;
  /** ResourceQuotas and LimitRanges of the namespaces, applied to pod creates: `fake.admission.addQuota(…)`. */
  readonly admission = new FakeAdmission();
  readonly #pods = new FakePods(
    (object) => this.#bump(object),
    (name) => this.#namespaces.has(name),
    (namespace, pod) => this.admission.admitCreate(namespace, pod, this.#pods.all(namespace)),
    (namespace, pod) => this.#podSecurity(namespace, pod),
  );
  /** Validating admission webhooks, called after Pod Security: `fake.webhooks.add({ name, review })`. */
  readonly webhooks = new FakeWebhooks();
  /** Pod Security admission over the namespaces' labels; `fake.podSecurity.exempt(…)` sets exemptions. */
  readonly podSecurity = new PodSecurityAdmission();
  /** Whether the OwnerReferencesPermissionEnforcement admission plugin is enabled (see `enforceOwnerReferences`). */
  #ownerReferencesEnforced = false;
  /** Warnings of the request being answered, sent as `Warning` headers (handler.ts drains them). */
  readonly #warnings: string[] = [];
  /** Service accounts per namespace (`default` is everywhere); pods naming another are refused. */
  readonly serviceAccounts = new FakeServiceAccounts();
  /** The mesh's sidecar injector and proxies (test/cluster/fake/mesh.ts). */
  readonly mesh = new FakeMesh();
  /** Workload controllers that adopt orphan pods (test/cluster/fake/adoption.ts). */
  readonly controllers = new FakeControllers({
    all: (namespace) => this.#pods.all(namespace),
    delete: (namespace, name) => this.#pods.delete(namespace, name),
    bump: (pod) => this.#bump(pod),
  });
  /** `pods/exec` over a WebSocket (exec.ts): its subprotocols, the 1.35 create check, the processes it runs. */
  readonly exec = new FakeExec();
  readonly #services = new Map<string, Json>();
  readonly #slices = new FakeEndpointSlices();
  readonly #namespaces = new Map<string, Json>();
  readonly #nodes = new Map<string, Json>();
  readonly #pdbs: PdbFixture[] = [];
  readonly #policies: Json[] = [];
  /** Custom resources served from their CRD, their watches, and Events (custom-api.ts). */
  readonly custom = new FakeCustomApi(
    () => this.#version,
    (object) => {
      this.#bump(object);
      return this.#version;
    },
    this.#warnings,
  );
  readonly #served = new ServedResources();
  readonly #authorizer = new FakeAuthorizer(this.user, this.groups);
  readonly #faults = new FakeFaults();
  /** Lists whose continue tokens expire on request (see `expireContinue`). */
  readonly #expiring = new ExpiringLists();
  /** Groups served by an aggregated API whose backend is not available (see `unavailable`). */
  readonly #unavailable = new Set<string>();
  readonly #cert: string;
  #version = 1000;
  readonly #started = performance.now();
  url = '';
  kubeconfig = '';

  private constructor(cert: { cert: string; key: string }) {
    this.#cert = cert.cert;
    this.#server = createServer(
      { cert: cert.cert, key: cert.key },
      (req, res) => void handle(this.#handling(), req, res),
    );
    this.exec.serve(this.#server, {
      token: this.token,
      authorizer: this.#authorizer,
      requests: this.requests,
      started: this.#started,
      pods: this.#pods,
    });
    const may = (namespace: string) => (verb: string, resource: string) =>
      this.#authorizer.allows(verb, { group: '', version: 'v1', resource, namespace, name: undefined });
    this.#pods.admission.push(
      (pod, ns) => this.serviceAccounts.admit(pod, ns),
      // OwnerReferencesPermissionEnforcement is off unless enabled, as in kube-apiserver's defaults.
      (pod, ns) => admitOwnerReferences(pod, this.#ownerReferencesEnforced ? may(ns) : () => true),
      (pod, ns) => this.mesh.admit(pod, ns),
    );
    this.#pods.sidecars.push(this.mesh);
    // Controllers hear of a new pod a moment after it is stored, as from their watch.
    this.#pods.created.push((ns) => void setTimeout(() => this.controllers.sync(ns), 20));
    this.#pods.removed.push((ns) => void setTimeout(() => this.controllers.collectGarbage(ns), 20));
  }

  /** Starts a fake on a free loopback port and writes a kubeconfig for it; both go away at teardown. */
  static async start(t: Test): Promise<FakeApiServer> {
    const fake = new FakeApiServer(makeCertificate());
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `https://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'prober-test-kube-'));
    fake.kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(fake.kubeconfig, JSON.stringify(fake.kubeconfigObject()));
    t.teardown(async () => {
      fake.kubelet.stopAll();
      fake.exec.stopAll();
      fake.mesh.stopAll();
      fake.#server.closeAllConnections();
      await new Promise<void>((resolve) => fake.#server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });
    return fake;
  }

  /** The fake kubelet: set image behaviours, count running agents. */
  get kubelet(): FakeKubelet {
    return this.#pods.kubelet;
  }

  /** Probe pods that ever reported Ready (must stay empty: Services must never route to them). */
  get everReady(): readonly string[] {
    return this.#pods.everReady;
  }

  /** A kubeconfig (JSON is YAML) with the fake's CA and a bearer token. */
  kubeconfigObject(token = this.token): Json {
    return {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'fake',
          cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.#cert).toString('base64') },
        },
      ],
      users: [{ name: 'prober', user: { token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'prober', namespace: 'default' } }],
      'current-context': 'fake',
    };
  }

  /** The CA certificate (PEM), e.g. for an in-cluster service account directory. */
  get caCertificate(): string {
    return this.#cert;
  }

  #bump(object: Json): void {
    this.#version += 1;
    meta(object).resourceVersion = String(this.#version);
  }

  /** Serves the custom resource of a CustomResourceDefinition object (k8s/prober/watch/crd.yaml): see `custom`. */
  installCustomResource(crd: Json): void {
    this.custom.install(crd, (group, version, resource) => this.#served.install(group, version, resource));
  }

  /** The next `times` matching requests are carried out `ms` late (a slow list). */
  slowNext(verb: string, resource: string, ms: number, times = 1): void {
    this.#faults.addDelay(verb, resource, ms, times);
  }

  /** Adds a PodDisruptionBudget; its status is computed from the pods whenever it is read (disruption.ts). */
  addPdb(fixture: PdbFixture): void {
    this.#pdbs.push(fixture);
  }

  /** The PodDisruptionBudgets of a namespace with the status the disruption controller would write now. */
  pdbs(namespace?: string): StoredObject[] {
    return this.#pdbs
      .filter((p) => namespace === undefined || p.namespace === namespace)
      .map((p) => pdbObject(p, this.#pods.all(p.namespace), (uid) => this.controllers.scaleOf(uid)));
  }

  /**
   * Adds a node with its well-known labels (`kubernetes.io/arch`, `kubernetes.io/os`); pods name it in
   * `spec.nodeName`. `addresses` become `status.addresses` as the kubelet reports them (InternalIP entries).
   */
  addNode(name: string, labels: Record<string, string>, addresses: readonly string[] = []): void {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
      status: {
        addresses: [
          ...addresses.map((address) => ({ type: 'InternalIP', address })),
          { type: 'Hostname', address: name },
        ],
      },
    };
    this.#bump(node);
    this.#nodes.set(name, node);
  }

  addNamespace(name: string, labels: Record<string, string> = {}): void {
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
      status: { phase: 'Active' },
    };
    this.#bump(ns);
    this.#namespaces.set(name, ns);
  }

  addPod(fixture: PodFixture): Json {
    if (!this.#namespaces.has(fixture.namespace)) this.addNamespace(fixture.namespace);
    // Its pod runs, so its service account exists.
    if (fixture.serviceAccountName) this.serviceAccounts.add(fixture.namespace, fixture.serviceAccountName);
    return this.#pods.add(fixture);
  }

  addService(fixture: ServiceFixture): void {
    if (!this.#namespaces.has(fixture.namespace)) this.addNamespace(fixture.namespace);
    const svc = service(fixture);
    this.#bump(svc);
    this.#services.set(key(fixture.namespace, fixture.name), svc);
    this.#slices.add(fixture, svc, this.#version);
  }

  /** The EndpointSlices a list would return now (the controller's are built from the pods stored now). */
  endpointSlices(namespace?: string): StoredObject[] {
    return this.#slices.list(namespace, this.#pods.all(), this.#version, this.#nodes);
  }

  /**
   * Serves a CRD's resource at one version, e.g. `installCrd('cilium.io', 'v2', 'ciliumnetworkpolicies')`;
   * a kind prober does not list for `run` names its kind (`GlobalNetworkPolicy`).
   */
  installCrd(group: string, version: string, resource: string, kind?: string): void {
    this.#served.install(group, version, resource, kind);
  }

  /** Stores a policy object of any kind (its CRD must be installed for it to be listed). */
  addPolicy(policy: Json): void {
    this.#bump(policy);
    this.#policies.push(policy);
  }

  /**
   * Authorizes every request with these Roles, ClusterRoles and bindings (e.g. the rendered
   * `k8s/prober/`), as the API server's RBAC authorizer does. Until called, every request is allowed,
   * as for a cluster admin's kubeconfig.
   */
  enforceRbac(objects: readonly Json[]): void {
    this.#authorizer.enforceRbac(objects);
    this.serviceAccounts.addFrom(objects);
  }

  /**
   * Enables the OwnerReferencesPermissionEnforcement admission plugin (plugin/pkg/admission/gc), off by
   * default in kube-apiserver and on in some distributions (OpenShift): setting an owner reference then
   * needs `delete` on the pod, blocking the owner's deletion `delete` on the owner too.
   */
  enforceOwnerReferences(): void {
    this.#ownerReferencesEnforced = true;
  }

  /** On top of RBAC: deny `verb` on `resource` (`pods/ephemeralcontainers`) in a namespace, or everywhere. */
  deny(verb: string, resource: string, namespace?: string): void {
    this.#authorizer.deny(verb, resource, namespace);
  }

  /** Answers the next `times` matching requests with an error `code` (500, 503, 429 …), optionally with its own message. */
  failNext(verb: string, resource: string, code: number, times = 1, message?: string): void {
    this.#faults.add(verb, resource, code, times, message, false);
  }

  /**
   * Carries out the next `times` matching requests, then answers them with an error `code` (504 by
   * default), as when the answer is lost on its way back: the object is created (or deleted), the
   * client sees a failure. Faults of both kinds apply in the order they were added.
   */
  loseNextAnswer(verb: string, resource: string, code = 504, times = 1, message?: string): void {
    this.#faults.add(verb, resource, code, times, message, true);
  }

  /**
   * Answers the next `times` matching requests with `answer()` instead of carrying them out: a StatusError
   * (status.ts, admission-refusals.ts) or a PlainAnswer (plain-answers.ts: APF's 429 with Retry-After …).
   */
  answerNext(verb: string, resource: string, answer: () => Error, times = 1): void {
    this.#faults.addAnswer(verb, resource, answer, times);
  }

  /** The next `times` matching requests get a raw answer of transport-faults.ts (silence, a stalled body …). */
  answerRawNext(verb: string, resource: string, raw: RawAnswer, times = 1): void {
    this.#faults.addRaw(verb, resource, raw, times);
  }

  /** Serves `group` through an aggregated API that is not available: discovery lists it, every request gets 503. */
  unavailable(group: string): void {
    this.#unavailable.add(group);
  }

  /** The next `times` list requests of `resource` with a continue token get 410 Gone (reason Expired). */
  expireContinue(resource: string, times = 1): void {
    this.#expiring.expire(resource, times);
  }

  /** Pods now stored, optionally of one namespace. */
  pods(namespace?: string): StoredObject[] {
    return this.#pods.all(namespace);
  }

  pod(namespace: string, name: string): StoredObject | undefined {
    return this.#pods.all(namespace).find((pod) => meta(pod).name === name);
  }

  /** Pods prober created (they carry its run-id label). */
  probePods(): StoredObject[] {
    return this.pods().filter((pod) => labelsOf(pod)['prober.dev/run-id']);
  }

  /** Requests with this verb and resource. */
  seen(verb: string, resource: string): SeenRequest[] {
    return this.requests.filter((r) => r.verb === verb && r.resource === resource);
  }

  /** Sets a workload pod's Ready condition, as its kubelet does when its readiness probe passes or fails. */
  setReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.pod(namespace, name);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    for (const condition of pod.status.conditions ?? [])
      if (condition.type === 'Ready' || condition.type === 'ContainersReady')
        condition.status = ready ? 'True' : 'False';
    for (const status of pod.status.containerStatuses ?? []) status.ready = ready;
    this.#bump(pod);
  }

  /** Deletes a pod as another client would (a rollout replacing the source pod, an admin). */
  deletePod(namespace: string, name: string): void {
    this.#pods.delete(namespace, name);
  }

  /** Validating admission of a create, or of an update of the stored pod (same uid: `pods/ephemeralcontainers`): Pod Security, then webhooks. */
  #podSecurity(namespace: string, pod: Json): void {
    const stored = this.pod(namespace, String(meta(pod).name));
    const old = stored && meta(pod).uid !== undefined && meta(stored).uid === meta(pod).uid ? stored : undefined;
    this.#warnings.push(...enforcePodSecurity(this.podSecurity, this.#namespaces.get(namespace), this.user, pod, old));
    // ValidatingAdmissionWebhook comes after the built-in validating plugins.
    this.webhooks.validate(old ? 'pods/ephemeralcontainers' : 'pods', namespace, pod);
  }

  /** What of the fake a request goes through (handler.ts). */
  #handling(): Handling {
    return {
      url: this.url,
      token: this.token,
      user: this.user,
      started: this.#started,
      requests: this.requests,
      authorizer: this.#authorizer,
      served: this.#served,
      unavailable: this.#unavailable,
      expiring: this.#expiring,
      faults: this.#faults,
      stored: () => this.#stored(),
      warnings: this.#warnings,
      watchSource: (target) => this.custom.watchSource(target),
    };
  }

  /** What the routes read and change (routes.ts). */
  #stored(): Stored {
    return {
      pods: this.#pods,
      services: this.#services,
      namespaces: this.#namespaces,
      nodes: this.#nodes,
      policies: this.#policies,
      version: this.#version,
      endpointSlices: (namespace) => this.endpointSlices(namespace),
      limitRanges: (namespace) => this.admission.limitRanges(namespace),
      pdbs: (namespace) => this.pdbs(namespace),
      kindOf: (group, resource) => this.#served.kindOf(group, resource),
      custom: this.custom.stores,
      events: this.custom.events,
    };
  }
}
