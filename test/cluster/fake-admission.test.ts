// The fake cluster's kubelet and admission checks on their own, against the messages of the upstream code
// they copy (pkg/kubelet/kuberuntime verifyRunAsNonRoot, the ResourceQuota and LimitRanger admission
// plugins, the API server's request and etcd size limits). The Kubernetes API is the in-process fake.

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { PROBE_POD_RESOURCES, probePod } from '../../src/cluster/probe-pod.ts';
import { planFor } from '../../src/model/plan.ts';
import { FakeAdmission } from './fake/admission.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { addQuantities, formatQuantity, parseQuantity } from './fake/quantity.ts';
import { effectiveSecurityContext, runAsNonRootError } from './fake/security-context.ts';

type Json = Record<string, unknown>;

const pod = (securityContext?: Json): Json => ({
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u1' },
  spec: { ...(securityContext ? { securityContext } : {}), containers: [] },
});

t.test('the effective security context: the container overrides the pod field by field', async (t) => {
  t.same(
    effectiveSecurityContext(pod({ runAsUser: 0, runAsGroup: 0, fsGroup: 2000 }), {
      securityContext: { runAsNonRoot: true, runAsUser: 65532 },
    }),
    { runAsUser: 65532, runAsGroup: 0, runAsNonRoot: true },
    'fsGroup is pod-only; runAsGroup comes from the pod',
  );
});

t.test('verifyRunAsNonRoot: the kubelet refuses exactly what would run as root', async (t) => {
  const agent = (securityContext: Json): Json => ({ name: 'prober-abc', securityContext });
  const where = '(pod: "web-1_shop(u1)", container: prober-abc)';
  t.equal(
    runAsNonRootError(pod({ runAsUser: 0 }), agent({ runAsNonRoot: true }), '65532'),
    `container's runAsUser breaks non-root policy ${where}`,
    'the pod runs as root and the container does not say otherwise',
  );
  t.equal(runAsNonRootError(pod({ runAsUser: 0 }), agent({ runAsNonRoot: true, runAsUser: 65532 }), ''), undefined);
  t.equal(
    runAsNonRootError(pod(), agent({ runAsNonRoot: true }), ''),
    `container has runAsNonRoot and image will run as root ${where}`,
    'an image without a user runs as root',
  );
  t.equal(
    runAsNonRootError(pod(), agent({ runAsNonRoot: true }), 'nobody'),
    `container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root ${where}`,
  );
  t.equal(runAsNonRootError(pod(), agent({ runAsNonRoot: true }), '65532:65532'), undefined);
  t.equal(runAsNonRootError(pod({ runAsNonRoot: true }), agent({ runAsNonRoot: false }), '0'), undefined);
  t.equal(
    runAsNonRootError(pod({ runAsNonRoot: true, runAsUser: 0 }), agent({}), '65532'),
    `container's runAsUser breaks non-root policy ${where}`,
    'both from the pod',
  );
});

const podWith = (name: string, containers: Json[]): Json => ({
  metadata: { name, namespace: 'shop' },
  spec: { containers },
});
const agent = (resources?: Json): Json => ({ name: 'agent', image: 'prober', ...(resources ? { resources } : {}) });

t.test('ResourceQuota: a compute quota refuses a pod whose containers lack what it tracks', async (t) => {
  const admission = new FakeAdmission();
  admission.addQuota({
    namespace: 'shop',
    name: 'compute',
    hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2', 'limits.memory': '2Gi' },
  });
  t.throws(() => admission.admitCreate('shop', podWith('probe', [agent(), { name: 'sidecar', image: 'x' }]), []), {
    code: 403,
    reason: 'Forbidden',
    message:
      'pods "probe" is forbidden: failed quota: compute: must specify limits.cpu for: agent,sidecar; limits.memory for: agent,sidecar; requests.cpu for: agent,sidecar; requests.memory for: agent,sidecar',
  });
  t.throws(
    () => admission.admitCreate('shop', podWith('probe', [agent({ requests: { cpu: '10m', memory: '96Mi' } })]), []),
    {
      message:
        'pods "probe" is forbidden: failed quota: compute: must specify limits.cpu for: agent; limits.memory for: agent',
    },
  );
  // Limits alone are enough: API defaulting copies them into the requests.
  const limitsOnly = podWith('probe', [agent({ limits: { cpu: '500m', memory: '256Mi' } })]);
  admission.admitCreate('shop', limitsOnly, []);
  t.same((limitsOnly.spec as Json).containers, [
    agent({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '500m', memory: '256Mi' } }),
  ]);
  admission.admitCreate('elsewhere', podWith('probe', [agent()]), []);
  t.pass('a namespace without a quota admits anything');
});

t.test('ResourceQuota: exceeded quota names what was requested, used and limited', async (t) => {
  const admission = new FakeAdmission();
  admission.addQuota({
    namespace: 'shop',
    name: 'compute',
    hard: { 'limits.cpu': '1', 'limits.memory': '1Gi', pods: '5' },
  });
  const resources = { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
  const running = (name: string): Json => ({ ...podWith(name, [agent(resources)]), status: { phase: 'Running' } });
  const done = (name: string): Json => ({ ...podWith(name, [agent(resources)]), status: { phase: 'Succeeded' } });
  admission.admitCreate('shop', podWith('p2', [agent(resources)]), [running('p1'), done('p0')]);
  t.pass('500m + 500m fits a limit of 1; a finished pod holds nothing');
  t.throws(() => admission.admitCreate('shop', podWith('p3', [agent(resources)]), [running('p1'), running('p2')]), {
    code: 403,
    message:
      'pods "p3" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=1, limited: limits.cpu=1',
  });
});

t.test('LimitRanger fills in unset requests and limits and says so in an annotation', async (t) => {
  const admission = new FakeAdmission();
  admission.addLimitRange({
    namespace: 'shop',
    name: 'defaults',
    default: { cpu: '1', memory: '512Mi' },
    defaultRequest: { cpu: '100m' },
  });
  admission.addQuota({ namespace: 'shop', name: 'compute', hard: { 'requests.cpu': '2', 'limits.memory': '4Gi' } });
  const pod = podWith('bare', [agent(), agent({ limits: { memory: '64Mi' } })]);
  ((pod.spec as Json).containers as Json[])[1]!.name = 'sized';
  admission.admitCreate('shop', pod, []);
  t.same(
    ((pod.spec as Json).containers as Json[]).map((c) => c.resources),
    [
      { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      { limits: { memory: '64Mi', cpu: '1' }, requests: { memory: '64Mi', cpu: '100m' } },
    ],
  );
  t.equal(
    ((pod.metadata as Json).annotations as Json)['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu, memory request for container agent; cpu, memory limit for container agent; cpu request for container sized; cpu limit for container sized',
  );
});

t.test('quantities parse and print as resource.Quantity does', async (t) => {
  const rows: [string, string][] = [
    ['500m', '500m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['96Mi', '96Mi'],
    ['1024Mi', '1Gi'],
    ['2000M', '2G'],
    ['1e3', '1k'],
  ];
  for (const [text, printed] of rows) t.equal(formatQuantity(parseQuantity(text)), printed, text);
  t.equal(formatQuantity(addQuantities(parseQuantity('500m'), parseQuantity('500m'))), '1');
  t.equal(formatQuantity(addQuantities(parseQuantity('96Mi'), parseQuantity('96Mi'))), '192Mi');
  t.throws(() => parseQuantity('ten'));
});

t.test(
  'the fake API server admits the probe pod prober builds under a compute quota, and not without resources',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    const source = fake.addPod({ namespace: 'shop', name: 'web-1', labels: { app: 'web' } }) as V1Pod;
    fake.admission.addQuota({
      namespace: 'shop',
      name: 'compute',
      hard: { 'requests.cpu': '1', 'limits.memory': '1Gi' },
    });
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const spec = (runId: string): V1Pod =>
      probePod({
        source,
        sourceName: 'web',
        runId,
        image: 'prober',
        plan: planFor('web', [], { timeoutMs: 1000, attempts: 1, concurrency: 64 }, () => undefined),
        deadlineSeconds: 60,
      });
    await api.createPod('shop', spec('run1'));
    t.ok(fake.pod('shop', 'prober-web-run1'), 'admitted with its requests and limits');
    const bare = (runId: string): V1Pod => {
      const pod = spec(runId);
      delete pod.spec?.containers[0]?.resources;
      return pod;
    };
    await t.rejects(api.createPod('shop', bare('run2')), {
      code: 403,
      message:
        /pods "prober-web-run2" is forbidden: failed quota: compute: must specify limits\.memory for: agent; requests\.cpu for: agent$/,
    });
    // With a LimitRange, the bare pod gets its defaults, which this quota cannot hold; prober's own stay.
    fake.admission.addLimitRange({ namespace: 'shop', name: 'defaults', default: { cpu: '2', memory: '1Gi' } });
    await t.rejects(api.createPod('shop', bare('run3')), {
      code: 403,
      message:
        /pods "prober-web-run3" is forbidden: exceeded quota: compute, requested: limits\.memory=1Gi,requests\.cpu=2, used: limits\.memory=256Mi,requests\.cpu=10m, limited: limits\.memory=1Gi,requests\.cpu=1$/,
    });
    await api.createPod('shop', spec('run4'));
    const admitted = fake.pod('shop', 'prober-web-run4');
    t.same(admitted?.spec.containers[0].resources, PROBE_POD_RESOURCES, 'admitted with its own requests and limits');
    t.equal(admitted?.metadata.annotations['kubernetes.io/limit-ranger'], undefined, 'no LimitRange default applied');
  },
);

t.test(
  'the fake refuses an object etcd would not store (500) and a body the API server would not read (413)',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    const stored = fake.addPod({ namespace: 'shop', name: 'web-1', labels: { app: 'web' } }) as Json;
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    // An older prober's agents left their plans in the pod until it is just under etcd's 1.5 MiB.
    const spec = stored.spec as Json;
    spec.ephemeralContainers = [{ name: 'prober-old', image: 'prober', env: [{ name: 'PROBER_PLAN', value: 'x' }] }];
    const room = 1.5 * 1024 * 1024 - JSON.stringify(stored).length - 30;
    (spec.ephemeralContainers as Json[])[0] = {
      name: 'prober-old',
      image: 'prober',
      env: [{ name: 'PROBER_PLAN', value: 'x'.repeat(room) }],
    };
    await t.rejects(
      api.addEphemeralContainer('shop', 'web-1', { name: 'prober-new', image: 'prober', command: ['prober', 'agent'] }),
      {
        code: 500,
        reason: undefined,
        message: /failed with HTTP 500: etcdserver: request is too large$/,
      },
    );
    t.equal((spec.ephemeralContainers as Json[]).length, 1, 'nothing stored');
    const huge: V1Pod = {
      metadata: { name: 'huge', annotations: { note: 'x'.repeat(3 * 1024 * 1024) } },
      spec: { containers: [{ name: 'main', image: 'web' }] },
    };
    await t.rejects(api.createPod('shop', huge), {
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: /Request entity too large: limit is 3145728$/,
    });
  },
);

t.test('an object etcd refuses as too large is final: the call is not retried', async (t) => {
  const fake = await FakeApiServer.start(t);
  const stored = fake.addPod({ namespace: 'shop', name: 'web-1', labels: { app: 'web' } }) as Json;
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const spec = stored.spec as Json;
  const room = 1.5 * 1024 * 1024 - JSON.stringify(stored).length - 100;
  spec.ephemeralContainers = [
    { name: 'prober-old', image: 'prober', env: [{ name: 'PROBER_PLAN', value: 'x'.repeat(room) }] },
  ];
  await t.rejects(
    api.addEphemeralContainer('shop', 'web-1', { name: 'prober-new', image: 'prober', command: ['prober', 'agent'] }),
    { code: 500, message: /etcdserver: request is too large$/ },
  );
  t.equal(fake.seen('patch', 'pods/ephemeralcontainers').length, 1, 'asked once, not four times');
});
