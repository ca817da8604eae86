// The probe pod of `--agent=pod` as prober writes it: adopted by no controller (its controller is the
// source pod), in the mesh exactly as the source is (the injector's inputs copied, its outputs not), on
// the same kind of node, and told to wait for a classic sidecar proxy. The fake cluster's ReplicaSet
// controller and owner-reference admission are checked here too (the Kubernetes API is the one thing
// the tests fake: test/cluster/fake/).

import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { probePod } from '../../src/cluster/probe-pod.ts';
import { inflatePlan } from '../../src/config/load-plan.ts';
import { planFor } from '../../src/model/plan.ts';
import { admitOwnerReferences, FakeControllers } from './fake/adoption.ts';
import { istioProxyContainer } from './fake/mesh.ts';
import { podErrors } from './fake/validate.ts';

type Json = Record<string, any>;

const plan = planFor(
  'web',
  [{ name: 'db', url: 'tcp://db:5432' }],
  { timeoutMs: 2000, attempts: 1, concurrency: 8 },
  () => 'allow',
);

const meshedSource = (): V1Pod => ({
  metadata: {
    name: 'web-5d8f-abcde',
    namespace: 'shop',
    uid: '6f1c-uid',
    labels: { app: 'web', 'pod-template-hash': '5d8f', 'sidecar.istio.io/inject': 'true' },
    annotations: {
      'sidecar.istio.io/inject': 'true',
      'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
      'sidecar.istio.io/proxyCPU': '50m',
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":false}',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '9000',
      'ambient.istio.io/redirection': 'enabled',
      'kubectl.kubernetes.io/default-container': 'web',
      'prometheus.io/port': '15020',
      'linkerd.io/proxy-version': 'edge-25.1.1',
      'config.linkerd.io/skip-outbound-ports': '25',
    },
  },
  spec: {
    serviceAccountName: 'web',
    imagePullSecrets: [{ name: 'registry' }],
    nodeSelector: { pool: 'dmz' },
    tolerations: [{ key: 'dmz', operator: 'Exists', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
        },
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    },
    runtimeClassName: 'gvisor',
    priorityClassName: 'critical',
    containers: [{ name: 'web', image: 'web:1' }, istioProxyContainer() as never],
  },
});

const build = (source: V1Pod): V1Pod =>
  probePod({
    source,
    sourceName: 'web',
    runId: 'abc123',
    image: 'img:1',
    plan,
    deadlineSeconds: 120,
    proxyDeadlineMs: 30_000,
  });

/** The plan the probe pod's agent gets, as `prober agent` reads it from $PROBER_PLAN_GZ. */
const planOf = (pod: V1Pod): Json =>
  JSON.parse(
    inflatePlan('PROBER_PLAN_GZ', pod.spec?.containers[0]?.env?.find((e) => e.name === 'PROBER_PLAN_GZ')?.value ?? ''),
  );

t.test('the probe pod is controlled by the source pod, so no controller adopts it; its labels stay', async (t) => {
  const pod = build(meshedSource());
  t.same(pod.metadata?.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'web-5d8f-abcde',
      uid: '6f1c-uid',
      controller: true,
      blockOwnerDeletion: false,
    },
  ]);
  t.same(pod.metadata?.labels, {
    app: 'web',
    'sidecar.istio.io/inject': 'true',
    'app.kubernetes.io/managed-by': 'prober',
    'prober.dev/run-id': 'abc123',
  });
  t.same(podErrors(pod as unknown as Json), [], 'a valid pod');
});

t.test("the injector's inputs are copied, its outputs and other annotations are not", async (t) => {
  const pod = build(meshedSource());
  t.same(pod.metadata?.annotations, {
    'sidecar.istio.io/inject': 'true',
    'sidecar.istio.io/proxyCPU': '50m',
    'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":false}',
    'traffic.sidecar.istio.io/excludeOutboundPorts': '9000',
    'config.linkerd.io/skip-outbound-ports': '25',
    'prober.dev/source': 'web',
    'prober.dev/identity-of': 'web-5d8f-abcde',
  });
});

t.test('pull secrets, node selector, node affinity, tolerations and runtime class are copied', async (t) => {
  const pod = build(meshedSource());
  t.match(pod.spec, {
    imagePullSecrets: [{ name: 'registry' }],
    nodeSelector: { pool: 'dmz' },
    tolerations: [{ key: 'dmz', operator: 'Exists', effect: 'NoSchedule' }],
    runtimeClassName: 'gvisor',
  });
  t.same(Object.keys(pod.spec?.affinity ?? {}), ['nodeAffinity'], 'no pod anti-affinity against its own labels');
  t.equal(pod.spec?.priorityClassName, undefined);
  t.equal(pod.spec?.automountServiceAccountToken, false);
});

t.test('pinned to a node (a zone-affinity check): its one required term names that node', async (t) => {
  const source = meshedSource();
  source.spec!.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution = [
    { weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
  ];
  const pod = probePod({
    source,
    sourceName: 'web',
    runId: 'abc123',
    image: 'img:1',
    plan,
    deadlineSeconds: 60,
    node: 'node-a1',
  });
  // As the DaemonSet controller pins its pods (pkg/controller/daemon/util/daemonset_util.go): through the scheduler.
  t.same(pod.spec?.affinity, {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      ],
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a1'] }] }],
      },
    },
  });
  t.equal(pod.spec?.nodeName, undefined, 'not bound past the scheduler');
  t.same(podErrors(pod as Json), [], 'a valid pod');
});

t.test('a classic sidecar in the source: the agent waits for the proxy; a native one or none: no wait', async (t) => {
  t.same(planOf(build(meshedSource())).proxyReady, {
    mesh: 'Istio',
    url: 'http://127.0.0.1:15021/healthz/ready',
    deadlineMs: 30_000,
  });
  const native = meshedSource();
  const proxy = native.spec?.containers.pop();
  native.spec!.initContainers = [{ ...proxy!, restartPolicy: 'Always' }];
  t.equal(planOf(build(native)).proxyReady, undefined, 'native: the kubelet holds the agent until the proxy started');
  const plain = meshedSource();
  plain.spec?.containers.pop();
  plain.spec?.containers.push({ name: 'constructor', image: 'x' });
  t.equal(planOf(build(plain)).proxyReady, undefined, 'outside the mesh (a container is a proxy by its own name only)');
  const linkerd = meshedSource();
  linkerd.spec!.containers[1] = {
    name: 'linkerd-proxy',
    image: 'cr.l5d.io/linkerd/proxy:edge',
    readinessProbe: { httpGet: { path: '/ready', port: 4191 as unknown as object } },
  } as never;
  const pod = build(linkerd);
  t.same(planOf(pod).proxyReady, { mesh: 'Linkerd', url: 'http://127.0.0.1:4191/ready', deadlineMs: 30_000 });
  t.equal(pod.spec?.automountServiceAccountToken, undefined, "Linkerd's injector skips pods without a token");
});

const stored = (name: string, labels: Record<string, string>, ready: boolean, phase = 'Running'): Json => ({
  metadata: { name, namespace: 'shop', labels, creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

t.test('the fake ReplicaSet adopts matching orphans and deletes the surplus, the not-Ready pod first', async (t) => {
  const pods = [stored('web-1', { app: 'web' }, true)];
  const store = {
    all: () => pods,
    delete: (_ns: string, name: string) =>
      pods.splice(
        pods.findIndex((p) => p.metadata.name === name),
        1,
      ),
    bump: () => {},
  };
  const controllers = new FakeControllers(store);
  controllers.addReplicaSet({ namespace: 'shop', name: 'web', selector: { app: 'web' } });
  t.same([...controllers.adopted.keys()], ['shop/web-1']);
  const owned = stored('prober-web-1', { app: 'web' }, false, 'Pending');
  owned.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'u', controller: true }];
  pods.push(owned);
  controllers.sync('shop');
  t.same(controllers.deleted, [], 'a pod with another controller is left alone');
  pods.push(stored('orphan', { app: 'web' }, false, 'Pending'));
  controllers.sync('shop');
  t.same(controllers.deleted, ['shop/orphan'], 'the orphan is adopted, and as the least ready, deleted');
  t.same(
    pods.map((p) => p.metadata.name),
    ['web-1', 'prober-web-1'],
  );
});

t.test('owner references on a created pod: one controller, and only with delete permission', async (t) => {
  const pod = (refs: Json[]): Json => ({ metadata: { name: 'p', ownerReferences: refs } });
  const ref = { apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'u1', controller: true };
  t.doesNotThrow(() => admitOwnerReferences(pod([ref]), () => true));
  t.throws(() => admitOwnerReferences(pod([ref, { ...ref, uid: 'u2' }]), () => true), { code: 422 });
  t.throws(() => admitOwnerReferences(pod([ref]), () => false), {
    code: 403,
    message: /cannot set an ownerRef on a resource you can't delete/,
  });
  t.throws(() => admitOwnerReferences(pod([{ ...ref, kind: 'ReplicaSet', blockOwnerDeletion: true }]), () => true), {
    code: 403,
  });
});
