// A fake Kubernetes API server over real HTTPS for tests: there is no cluster on these machines, so this
// serves exactly the endpoints prober uses, with real paths, verbs, content types, Status errors, RBAC
// (Roles per namespace, ClusterRoles), injected faults, pod status transitions and logs — and validates
// everything prober sends.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { FakeAdmission } from './admission.ts';
import { admitOwnerReferences, FakeControllers } from './adoption.ts';
import type { FakeKubelet } from './kubelet.ts';
import { FakeEndpointSlices } from './endpoint-slices.ts';
import { FakeMesh } from './mesh.ts';
import { service, type PodFixture, type ServiceFixture } from './objects.ts';
import { checkRequestBody } from './object-size.ts';
import { FakePods } from './pods.ts';
import { discovery, isDiscoveryPath, page } from './discovery.ts';
import { parseSelector } from './selector.ts';
import { parsePath, verbOf, type Target } from './request.ts';
import { FakeRbac } from './rbac.ts';
import * as status from './status.ts';
import { PlainAnswer, pageNotFound, serviceUnavailable } from './plain-answers.ts';
import { enforcePodSecurity } from './admission-refusals.ts';
import { ExpiringLists } from './discovery.ts';
import { makeCertificate } from './tls.ts';

type Json = Record<string, unknown>;

/** Objects as tests read them back: any field may be looked at. */
export type StoredObject = Record<string, any>;

/** One request as the fake saw it, for assertions. */
export interface SeenRequest {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly contentType: string | undefined;
  readonly code: number;
  /** Milliseconds since the fake started. */
  readonly at: number;
}

/** Built-in resources every cluster serves (group/version/resource); CRD kinds are added with `installCrd`. */
const BUILT_IN = [
  '/v1/pods',
  '/v1/services',
  '/v1/namespaces',
  'discovery.k8s.io/v1/endpointslices',
  'networking.k8s.io/v1/networkpolicies',
];

/** Kind of each policy resource, for stored objects. */
const POLICY_KINDS: Readonly<Record<string, string>> = {
  networkpolicies: 'NetworkPolicy',
  adminnetworkpolicies: 'AdminNetworkPolicy',
  baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicy',
  clusternetworkpolicies: 'ClusterNetworkPolicy',
  ciliumnetworkpolicies: 'CiliumNetworkPolicy',
  ciliumclusterwidenetworkpolicies: 'CiliumClusterwideNetworkPolicy',
  authorizationpolicies: 'AuthorizationPolicy',
  peerauthentications: 'PeerAuthentication',
};

const key = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;
const meta = (object: Json): Json => object.metadata as Json;
const labelsOf = (object: Json): Record<string, string> => (meta(object).labels ?? {}) as Record<string, string>;

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
    (namespace, pod) => enforcePodSecurity(this.#namespaces.get(namespace), pod),
  );
  /** The mesh's sidecar injector and proxies (test/cluster/fake/mesh.ts). */
  readonly mesh = new FakeMesh();
  /** Workload controllers that adopt orphan pods (test/cluster/fake/adoption.ts). */
  readonly controllers = new FakeControllers({
    all: (namespace) => this.#pods.all(namespace),
    delete: (namespace, name) => this.#pods.delete(namespace, name),
    bump: (pod) => this.#bump(pod),
  });
  readonly #services = new Map<string, Json>();
  readonly #slices = new FakeEndpointSlices();
  readonly #namespaces = new Map<string, Json>();
  readonly #policies: Json[] = [];
  readonly #served = new Set(BUILT_IN);
  /** Kinds of CRD resources installed with a kind of their own (`group/resource` → kind). */
  readonly #crdKinds = new Map<string, string>();
  readonly #denied = new Set<string>();
  #rbac: FakeRbac | undefined;
  readonly #faults: {
    verb: string;
    resource: string;
    code: number;
    left: number;
    message: string | undefined;
    /** Carry the request out before failing it: the answer, not the request, is lost. */
    lost: boolean;
    /** The whole answer, when not a Status of `code` (see answerNext). */
    answer?: () => Error;
  }[] = [];
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
    this.#server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => void this.#handle(req, res));
    const may = (namespace: string) => (verb: string, resource: string) =>
      this.#may(verb, { group: '', version: 'v1', resource, namespace, name: undefined });
    this.#pods.admission.push(
      (pod, ns) => admitOwnerReferences(pod, may(ns)),
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
    return this.#slices.list(namespace, this.#pods.all(), this.#version);
  }

  /**
   * Serves a CRD's resource at one version, e.g. `installCrd('cilium.io', 'v2', 'ciliumnetworkpolicies')`;
   * a kind prober does not list for `run` names its kind (`GlobalNetworkPolicy`).
   */
  installCrd(group: string, version: string, resource: string, kind?: string): void {
    this.#served.add(`${group}/${version}/${resource}`);
    if (kind) this.#crdKinds.set(`${group}/${resource}`, kind);
  }

  #kindOf(group: string, resource: string): string | undefined {
    return this.#crdKinds.get(`${group}/${resource}`) ?? POLICY_KINDS[resource];
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
    this.#rbac ??= new FakeRbac();
    this.#rbac.load(objects);
  }

  /** On top of RBAC: deny `verb` on `resource` (`pods/ephemeralcontainers`) in a namespace, or everywhere. */
  deny(verb: string, resource: string, namespace?: string): void {
    this.#denied.add(`${verb} ${resource} ${namespace ?? '*'}`);
  }

  /** Answers the next `times` matching requests with an error `code` (500, 503, 429 …), optionally with its own message. */
  failNext(verb: string, resource: string, code: number, times = 1, message?: string): void {
    this.#faults.push({ verb, resource, code, left: times, message, lost: false });
  }

  /**
   * Carries out the next `times` matching requests, then answers them with an error `code` (504 by
   * default), as when the answer is lost on its way back: the object is created (or deleted), the
   * client sees a failure. Faults of both kinds apply in the order they were added.
   */
  loseNextAnswer(verb: string, resource: string, code = 504, times = 1, message?: string): void {
    this.#faults.push({ verb, resource, code, left: times, message, lost: true });
  }

  /**
   * Answers the next `times` matching requests with `answer()` instead of carrying them out: a StatusError
   * (status.ts, admission-refusals.ts) or a PlainAnswer (plain-answers.ts: APF's 429 with Retry-After …).
   */
  answerNext(verb: string, resource: string, answer: () => Error, times = 1): void {
    this.#faults.push({ verb, resource, code: 0, left: times, message: undefined, lost: false, answer });
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

  /** Deletes a pod as another client would (a rollout replacing the source pod, an admin). */
  deletePod(namespace: string, name: string): void {
    this.#pods.delete(namespace, name);
  }

  /** Whether prober's user may do this, by RBAC and the test's extra denials. */
  #may(verb: string, target: Target): boolean {
    const denied = [`${verb} ${target.resource} ${target.namespace ?? '*'}`, `${verb} ${target.resource} *`].some(
      (rule) => this.#denied.has(rule),
    );
    return (
      !denied &&
      (this.#rbac === undefined || this.#rbac.allows({ name: this.user, groups: this.groups }, { verb, ...target }))
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = parsePath(url.pathname);
    // Discovery is open to every authenticated user (system:discovery), whatever the RBAC.
    const discoveryPath = req.method === 'GET' && isDiscoveryPath(url.pathname);
    const verb = discoveryPath ? 'get' : verbOf(req.method ?? 'GET', target?.name);
    const contentType = req.headers['content-type'];
    const send = (code: number, payload: unknown, type = 'application/json', headers = {}): void => {
      this.requests.push({
        verb,
        group: target?.group ?? '',
        resource: discoveryPath ? 'apis' : (target?.resource ?? url.pathname),
        namespace: target?.namespace,
        name: target?.name,
        contentType,
        code,
        at: Math.round(performance.now() - this.#started),
      });
      res.writeHead(code, { ...headers, 'content-type': type });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) throw status.unauthorized();
      if (discoveryPath) {
        if (this.#unavailable.has(url.pathname.split('/')[2] ?? '')) throw serviceUnavailable();
        send(
          200,
          discovery(url.pathname, this.#served, (g, r) => this.#kindOf(g, r)),
        );
        return;
      }
      if (!target) throw pageNotFound();
      // The API server authorizes before it routes: a path it does not serve is still a 403 when RBAC says no.
      if (!this.#may(verb, target))
        throw status.forbidden(this.user, verb, target.resource, target.group, target.namespace, target.name);
      if (this.#unavailable.has(target.group)) throw serviceUnavailable();
      if (![...this.#served].some((s) => s.startsWith(`${target.group}/${target.version}/`))) throw pageNotFound();
      if (!this.#served.has(`${target.group}/${target.version}/${target.resource.split('/')[0]}`))
        throw status.noSuchResource();
      if (verb === 'list') this.#expiring.check(target.resource, url);
      // The handler reads the body only after authentication, authorization and routing.
      checkRequestBody(Buffer.byteLength(body));
      const fault = this.#faults.find((f) => f.left > 0 && f.verb === verb && f.resource === target.resource);
      if (fault && !fault.lost) {
        fault.left -= 1;
        throw fault.answer?.() ?? status.serverError(fault.code, fault.message);
      }
      const [code, payload, type] = this.#route(verb, target, url, body, contentType ?? '');
      if (fault) {
        fault.left -= 1;
        throw status.serverError(fault.code, fault.message);
      }
      send(code, payload, type);
    } catch (error) {
      if (error instanceof PlainAnswer) {
        send(error.code, error.body(), 'text/plain; charset=utf-8', {
          ...error.headers,
          'x-content-type-options': 'nosniff',
        });
        return;
      }
      const failure =
        error instanceof status.StatusError
          ? error
          : new status.StatusError(500, 'InternalError', `fake API server bug: ${(error as Error).stack}`);
      send(failure.code, failure.body());
    }
  }

  #route(verb: string, target: Target, url: URL, body: string, contentType: string): [number, unknown, string?] {
    const { namespace, name } = target;
    const selector = parseSelector(url.searchParams.get('labelSelector'));
    // Items of built-in lists carry no apiVersion/kind (only the list does); clients must not rely on them.
    const bare = ({ apiVersion: _a, kind: _k, ...rest }: Json): Json => rest;
    const list = (kind: string, items: Iterable<Json>): [number, Json] => [
      200,
      {
        kind,
        apiVersion: 'v1',
        ...page(url, this.#version, [...items].filter((o) => selector(labelsOf(o))).map(bare)),
      },
    ];
    const inNamespace = (store: Map<string, Json>): Json[] =>
      [...store.values()].filter((o) => namespace === undefined || meta(o).namespace === namespace);
    switch (`${verb} ${target.group}/${target.resource}`) {
      case 'list /pods':
        return list('PodList', this.#pods.all(namespace));
      case 'get /pods':
        return [200, this.#pods.get(namespace, name)];
      case 'create /pods':
        return [201, this.#pods.create(namespace ?? '', body, contentType)];
      case 'delete /pods':
        return [200, this.#pods.delete(namespace, name)];
      case 'patch /pods/ephemeralcontainers':
        return [200, this.#pods.patchEphemeral(namespace, name, body, contentType)];
      case 'get /pods/log':
        return [200, this.#pods.log(namespace, name, url.searchParams.get('container')), 'text/plain'];
      case 'get /services': {
        const svc = this.#services.get(key(namespace, name));
        if (!svc) throw status.notFound('services', name ?? '');
        return [200, svc];
      }
      case 'list discovery.k8s.io/endpointslices':
        return list('EndpointSliceList', this.endpointSlices(namespace));
      case 'list /namespaces':
        return list('NamespaceList', this.#namespaces.values());
      case 'list /services':
        return list('ServiceList', inNamespace(this.#services));
      default: {
        const kind = this.#kindOf(target.group, target.resource);
        if (verb !== 'list' || !kind || namespace !== undefined) throw status.methodNotAllowed(verb);
        // Served at the requested version, as the API server converts between a CRD's versions.
        const apiVersion = `${target.group}/${target.version}`;
        const stored = this.#policies.filter(
          (p) => p.kind === kind && String(p.apiVersion).split('/')[0] === target.group,
        );
        const items =
          target.group === 'networking.k8s.io' ? stored.map(bare) : stored.map((p) => ({ ...p, apiVersion }));
        return [200, { apiVersion, kind: `${kind}List`, ...page(url, this.#version, items) }];
      }
    }
  }
}
