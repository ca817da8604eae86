// KubeApi over client-node against a fake API server (there is no cluster on these machines; the fake
// serves the real paths over HTTPS): every call hits exactly the verb and resource its RBAC table entry
// names, errors become one-line messages, and the connection is found like kubectl finds it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { KubeApiError } from '../../src/cluster/api-error.ts';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { ConnectionError, connect } from '../../src/cluster/connection.ts';
import {
  EXEC_UPGRADE_PERMISSION,
  KUBE_API_PERMISSIONS,
  type KubeApi,
  type KubeCall,
  policyPermission,
} from '../../src/cluster/kube-api.ts';
import { listLiveObjects } from '../../src/cluster/live-policies.ts';
import { ownImage } from '../../src/cluster/own-image.ts';
import { kindDescriptor, POLICY_KIND_NAMES } from '../../src/policy/kinds.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

async function fakeWithWorkload(t: Test): Promise<{ fake: FakeApiServer; api: KubeApi }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  fake.addNode('node-a', { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' });
  fake.addService({
    namespace: 'web',
    name: 'web',
    ports: [{ port: 80 }],
    endpoints: [{ ip: '10.0.0.1', ready: true }],
  });
  fake.addPolicy({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny-all', namespace: 'web' },
    spec: { podSelector: {} },
  });
  // Every kind served by a CRD, from its descriptor: a kind added to the table is listed here too.
  for (const kind of POLICY_KIND_NAMES) {
    const d = kindDescriptor(kind);
    if (!d.builtIn) fake.installCrd(d.group, d.versions[0]!, d.plural);
  }
  return { fake, api: clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry) };
}

t.test('each KubeApi call uses exactly the verb and resource of its RBAC table entry', async (t) => {
  const { fake, api } = await fakeWithWorkload(t);
  const calls: Record<KubeCall, () => Promise<unknown>> = {
    listPods: () => api.listPods('web', 'app=web'),
    readPod: () => api.readPod('web', 'web-1'),
    readOwnPod: () => api.readOwnPod('web', 'web-1'),
    addEphemeralContainer: () =>
      api.addEphemeralContainer('web', 'web-1', { name: 'debug', image: 'busybox', command: ['prober', 'agent'] }),
    createPod: () =>
      api.createPod('web', {
        metadata: { name: 'probe' },
        spec: { containers: [{ name: 'agent', image: 'busybox', command: ['prober', 'agent'] }] },
      }),
    deletePod: () => api.deletePod('web', 'probe'),
    readPodLog: () => api.readPodLog('web', 'web-1', 'main'),
    // The upgrade is one GET, authorized as `get pods/exec` and (1.35+) `create` too: recorded as its get.
    execInContainer: () =>
      api.execInContainer({
        namespace: 'web',
        pod: 'web-1',
        container: 'main',
        command: ['true'],
        stdin: '',
        deadlineMs: 5000,
        maxStdoutBytes: 1024,
        signal: new AbortController().signal,
      }),
    listLimitRanges: () => api.listLimitRanges('web'),
    readNode: () => api.readNode('node-a'),
    listPodDisruptionBudgets: () => api.listPodDisruptionBudgets('web'),
    readService: () => api.readService('web', 'web'),
    listEndpointSlices: () => api.listEndpointSlices('web', 'web'),
    listNamespaces: () => api.listNamespaces(),
    listAllPods: () => api.listAllPods(),
    listPodsForCleanup: () => api.listPodsForCleanup(),
    listAllServices: () => api.listAllServices(),
    listNodes: () => api.listNodes(),
    listNodeZones: () => api.listNodeZones(),
    listPolicies: () => api.listPolicies('CiliumNetworkPolicy'),
    listApiGroups: () => api.listApiGroups(),
    listApiResources: () => api.listApiResources('cilium.io', 'v2'),
    listClusterObjects: () => api.listClusterObjects('cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'),
  };
  // The generic calls list whatever policy resource they are given; the test names one.
  const generic = { group: 'cilium.io', resource: 'ciliumnetworkpolicies' };
  t.same(Object.keys(calls).sort(), Object.keys(KUBE_API_PERMISSIONS).sort(), 'the table lists every call');
  const requested = async (call: () => Promise<unknown>): Promise<unknown[][]> => {
    const before = fake.requests.length;
    await call();
    return fake.requests
      .slice(before)
      .map((r) => [r.verb, r.group, r.resource, r.namespace === undefined ? 'cluster' : 'namespace', r.code < 300]);
  };
  for (const [name, call] of Object.entries(calls) as [KubeCall, () => Promise<unknown>][]) {
    const isGeneric = name === 'listClusterObjects' || name === 'listPolicies';
    const permission =
      name === 'execInContainer'
        ? EXEC_UPGRADE_PERMISSION
        : { ...KUBE_API_PERMISSIONS[name], ...(isGeneric ? generic : {}) };
    t.same(
      await requested(call),
      [[permission.verb, permission.group, permission.resource, permission.scope, true]],
      `${name}: ${permission.verb} ${permission.resource}`,
    );
  }
  // listPolicies of each evaluated kind asks exactly for the permission the RBAC table grants for it.
  for (const kind of POLICY_KIND_NAMES) {
    const permission = policyPermission(kind);
    t.same(
      await requested(() => api.listPolicies(kind)),
      [[permission.verb, permission.group, permission.resource, permission.scope, true]],
      `listPolicies(${kind}): ${permission.verb} ${permission.resource}`,
    );
  }
  t.same((await api.listPods('web', 'app=other')).length, 0, 'the selector is applied');
  t.equal(fake.seen('patch', 'pods/ephemeralcontainers')[0]?.contentType, 'application/strategic-merge-patch+json');
});

t.test(
  'the live objects for the policy model: raw policies of every served kind, versions tried in order',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
    const except = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'egress', namespace: 'web' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
      },
    };
    fake.addPolicy(except);
    // Only an older Istio version is served, and Cilium is not installed at all.
    fake.installCrd('security.istio.io', 'v1beta1', 'authorizationpolicies');
    fake.addPolicy({
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'redis', namespace: 'web' },
      spec: { action: 'ALLOW' },
    });
    fake.addPolicy({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'not-served', namespace: 'web' },
      spec: {},
    });
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry);
    const live = await listLiveObjects(api, true);
    t.same(
      live.policies.map((p) => `${p.apiVersion} ${p.kind}`),
      ['networking.k8s.io/v1 NetworkPolicy', 'security.istio.io/v1beta1 AuthorizationPolicy'],
    );
    t.same(
      live.policies[0],
      except,
      'the manifest exactly as served (ipBlock.except intact), apiVersion and kind filled in',
    );
    t.same(
      live.pods.map((p) => p.metadata?.name),
      ['web-1'],
    );
    t.same(
      live.namespaces.map((n) => n.metadata?.labels?.['kubernetes.io/metadata.name']),
      ['web'],
    );
    t.same(
      fake.seen('list', 'authorizationpolicies').map((r) => r.code),
      [404, 200],
      'v1 first, then v1beta1',
    );
    t.same(fake.seen('list', 'ciliumnetworkpolicies'), [], 'a kind discovery does not list is not asked for');
    // Served, yet the list answers 404 (a proxy, a broken aggregation): an error, not "no policies".
    fake.installCrd('cilium.io', 'v2', 'ciliumnetworkpolicies');
    fake.failNext('list', 'ciliumnetworkpolicies', 404);
    await t.rejects(listLiveObjects(api, true), {
      code: 404,
      message: /^the API server does not serve ciliumnetworkpolicies in cilium\.io/,
    });
    fake.deny('list', 'networkpolicies');
    await t.rejects(listLiveObjects(api, true), {
      code: 403,
      message: /^forbidden: missing RBAC permission to list networkpolicies\.networking\.k8s\.io cluster-wide/,
    });
    t.same((await listLiveObjects(api, false)).policies, [], 'without live policies, policy kinds are not read');
  },
);

t.test('the ephemeralcontainers subresource: patch types, validation, Status errors as one line', async (t) => {
  const { fake, api } = await fakeWithWorkload(t);
  const url = `${fake.url}/api/v1/namespaces/web/pods/web-1/ephemeralcontainers`;
  const raw = async (
    contentType: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    // A plain fetch, to see what the server says to formats prober does not send.
    const { request } = await import('node:https');
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'PATCH',
          ca: fake.caCertificate,
          headers: { 'content-type': contentType, authorization: `Bearer ${fake.token}` },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  };
  const wrongType = await raw('application/json', { spec: { ephemeralContainers: [{ name: 'x', image: 'i' }] } });
  t.equal(wrongType.status, 415);
  t.match(wrongType.body, {
    kind: 'Status',
    reason: 'UnsupportedMediaType',
    message: /accepted media types include: application\/json-patch\+json/,
  });
  const jsonPatch = await raw('application/json-patch+json', [
    {
      op: 'add',
      path: '/spec/ephemeralContainers',
      value: [{ name: 'via-json-patch', image: 'i', command: ['prober', 'agent'] }],
    },
  ]);
  t.equal(jsonPatch.status, 200, 'a JSON patch is accepted as well');

  await t.rejects(api.addEphemeralContainer('web', 'web-1', { name: 'via-json-patch', image: 'other' }), {
    code: 422,
    message:
      'the API server rejected pods "web-1" in namespace web as invalid: Pod "web-1" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "via-json-patch" may not be changed',
  });
  await t.rejects(
    api.addEphemeralContainer('web', 'web-1', { name: 'with-port', image: 'i', ports: [{ containerPort: 80 }] }),
    { code: 422, message: /ports: Forbidden: cannot be set for an Ephemeral Container/ },
  );
  await t.rejects(api.readPod('web', 'gone'), {
    code: 404,
    message: 'pods "gone" not found in namespace web: pods "gone" not found',
  });
  fake.deny('get', 'services');
  await t.rejects(api.readService('web', 'web'), {
    code: 403,
    message: /^forbidden: missing RBAC permission to get services in namespace web/,
  });
  fake.deny('list', 'endpointslices');
  await t.rejects(api.listEndpointSlices('web', 'web'), {
    code: 403,
    message: /^forbidden: missing RBAC permission to list endpointslices\.discovery\.k8s\.io in namespace web/,
  });
  await t.rejects(
    api.createPod('web', { metadata: { name: 'web-1' }, spec: { containers: [{ name: 'a', image: 'i' }] } }),
    { code: 409, message: /^conflict on pods "web-1" in namespace web: pods "web-1" already exists$/ },
  );
  await t.rejects(
    api.createPod('web', {
      metadata: { name: 'bad', labels: { 'prober.dev/run-id': 'x'.repeat(64) } },
      spec: { containers: [{ name: 'a', image: 'i' }] },
    }),
    { code: 422 },
  );
});

t.test('transient errors are retried with backoff; the last one is reported', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  const retries: string[] = [];
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 },
    onRetry: (_e, _n, m) => retries.push(m),
  });
  fake.failNext('get', 'pods', 503, 2);
  t.equal((await api.readPod('web', 'web-1')).metadata?.name, 'web-1');
  t.equal(retries.length, 2);
  fake.failNext('get', 'pods', 500, 3);
  await t.rejects(api.readPod('web', 'web-1'), {
    code: 500,
    message: 'get pods in namespace web failed with HTTP 500: Internal error occurred: etcdserver: request timed out',
  });
  fake.failNext('get', 'pods', 500, 1);
  fake.deny('get', 'pods');
  await t.rejects(api.readPod('web', 'web-1'), { code: 403 }, 'a 403 is not retried into success');
});

t.test('connection: kubeconfig, context, in-cluster service account, and the errors when none works', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  const dir = tempDir(t, 'conn');

  const viaKubeconfig = connect({ kubeconfig: fake.kubeconfig, env: process.env });
  t.match(viaKubeconfig, { description: `fake (${fake.url})`, namespace: 'default' });
  t.throws(
    () => connect({ kubeconfig: fake.kubeconfig, context: 'prod', env: process.env }),
    new ConnectionError('context "prod" is not in the kubeconfig (known: fake)'),
  );
  t.throws(() => connect({ kubeconfig: join(dir, 'missing'), env: process.env }), { message: /does not exist$/ });
  t.throws(() => connect({ env: { HOME: dir } }), {
    message: /^no Kubernetes connection: not running in a pod with a service account, and no kubeconfig/,
  });

  // In a pod: the token, CA and namespace files of the service account, and KUBERNETES_SERVICE_*.
  const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), fake.token);
  writeFileSync(join(sa, 'ca.crt'), fake.caCertificate);
  writeFileSync(join(sa, 'namespace'), 'prober\n');
  const port = new URL(fake.url).port;
  Object.assign(process.env, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port });
  t.teardown(() => {
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
  });
  // No kubeconfig anywhere (HOME has none): only then does kubectl use the service account.
  const inCluster = connect({ serviceAccountPrefix: dir, env: { ...process.env, HOME: dir, KUBECONFIG: '' } });
  t.match(inCluster, { description: `in-cluster (https://127.0.0.1:${port})`, namespace: 'prober' });
  t.same(
    (await clientNodeApi(inCluster, noRetry).listPods('web')).map((p) => p.metadata?.name),
    ['web-1'],
  );

  // In a pod, agents default to the pod's own prober image (a kustomize override or mirror the cluster can pull).
  fake.addPod({
    namespace: 'prober',
    name: 'prober-lab-x7k2p',
    labels: { 'job-name': 'prober-lab' },
    image: 'mirror.example/prober:0.1.0',
  });
  const api = clientNodeApi(inCluster, noRetry);
  t.equal(
    await ownImage(api, inCluster, { HOSTNAME: 'prober-lab-x7k2p' }),
    'mirror.example/prober:0.1.0',
    'in a pod: its own image',
  );
  t.equal(
    await ownImage(api, viaKubeconfig, { HOSTNAME: 'prober-lab-x7k2p' }),
    undefined,
    'outside: none, the published image is used',
  );
  await t.rejects(
    ownImage(api, inCluster, { HOSTNAME: 'gone' }),
    { code: 404 },
    'an unreadable pod is an error the caller falls back from',
  );

  const badToken = join(dir, 'bad-token.kubeconfig');
  writeFileSync(badToken, JSON.stringify(fake.kubeconfigObject('wrong')));
  const rejected = await clientNodeApi(connect({ kubeconfig: badToken, env: process.env }), noRetry)
    .listPods('web')
    .catch((e: unknown) => e);
  t.ok(rejected instanceof KubeApiError && rejected.fatal);
  t.match(rejected, {
    code: 401,
    message: `the Kubernetes API server at ${fake.url} rejected the credentials (401 Unauthorized)`,
  });
});
