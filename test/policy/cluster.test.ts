// How the engine sees the cluster: namespaces as the API server labels them, pods merged into the workloads
// no policy can tell apart, their names, addresses, mesh membership and the labels Cilium gives endpoints.
import t from 'tap';
import {
  buildModel,
  type ClusterInput,
  type ModelOptions,
  NAMESPACE_NAME_LABEL,
  type Workload,
  type WorkloadInput,
} from '../../src/policy/index.ts';

const model = (input: Partial<ClusterInput>, options: ModelOptions = {}) =>
  buildModel({ workloads: [], ...input }, options);
const ids = (workloads: readonly Workload[]): string[] => workloads.map((w) => w.id);
const pod = (namespace: string, name: string, labels: Record<string, string>, extra: Partial<WorkloadInput> = {}) => ({
  namespace,
  name,
  labels,
  ...extra,
});

interface MeshRow {
  readonly name: string;
  readonly namespaceLabels?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
  readonly mesh?: boolean;
  readonly options?: ModelOptions;
  readonly inMesh: boolean;
}

// Istio's injection webhooks (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml):
// `namespace.sidecar-injector` fires on namespaces labelled istio-injection=enabled unless the pod says
// sidecar.istio.io/inject=false; `rev.namespace` on istio.io/rev namespaces without istio-injection;
// `object` on pods labelled sidecar.istio.io/inject=true in namespaces with neither istio-injection nor istio.io/rev
// (so istio-injection=disabled, or any value but enabled, keeps an opted-in pod out). Ambient (istio.io/dataplane-mode=ambient on the pod or
// its namespace) puts a pod in the mesh without a sidecar. src/policy/README.md "Mesh membership" gives the order.
const meshRows: MeshRow[] = [
  { name: 'no label anywhere: outside the mesh', inMesh: false },
  { name: 'istio-injection=enabled on the namespace', namespaceLabels: { 'istio-injection': 'enabled' }, inMesh: true },
  {
    name: 'istio-injection=disabled on the namespace',
    namespaceLabels: { 'istio-injection': 'disabled' },
    inMesh: false,
  },
  {
    name: 'istio-injection=disabled wins over istio.io/rev (the revision webhook needs istio-injection absent)',
    namespaceLabels: { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' },
    inMesh: false,
  },
  {
    name: 'istio.io/rev on the namespace (revision-based injection)',
    namespaceLabels: { 'istio.io/rev': 'canary' },
    inMesh: true,
  },
  {
    name: 'an unknown istio-injection value: no webhook fires',
    namespaceLabels: { 'istio-injection': 'maybe' },
    inMesh: false,
  },
  {
    name: 'an unknown istio-injection value also turns off the revision webhook (it needs the label absent)',
    namespaceLabels: { 'istio-injection': 'maybe', 'istio.io/rev': 'canary' },
    inMesh: false,
  },
  {
    name: 'pod sidecar.istio.io/inject=true in an istio-injection=disabled namespace: no webhook fires',
    namespaceLabels: { 'istio-injection': 'disabled' },
    podLabels: { 'sidecar.istio.io/inject': 'true' },
    inMesh: false,
  },
  {
    name: 'pod sidecar.istio.io/inject=true in an istio.io/rev namespace (the revision webhook)',
    namespaceLabels: { 'istio.io/rev': 'canary' },
    podLabels: { 'sidecar.istio.io/inject': 'true' },
    inMesh: true,
  },
  {
    name: 'pod sidecar.istio.io/inject=false opts out of an injected namespace',
    namespaceLabels: { 'istio-injection': 'enabled' },
    podLabels: { 'sidecar.istio.io/inject': 'false' },
    inMesh: false,
  },
  {
    name: 'pod sidecar.istio.io/inject=true opts in without a namespace label',
    podLabels: { 'sidecar.istio.io/inject': 'true' },
    inMesh: true,
  },
  {
    name: 'a pod inject value other than true/false leaves it to the namespace',
    namespaceLabels: { 'istio-injection': 'enabled' },
    podLabels: { 'sidecar.istio.io/inject': 'yes' },
    inMesh: true,
  },
  {
    name: 'ambient: istio.io/dataplane-mode=ambient on the pod',
    podLabels: { 'istio.io/dataplane-mode': 'ambient' },
    inMesh: true,
  },
  {
    name: 'ambient: istio.io/dataplane-mode=ambient on the namespace',
    namespaceLabels: { 'istio.io/dataplane-mode': 'ambient' },
    inMesh: true,
  },
  {
    name: 'ambient wins over istio-injection=disabled (ztunnel needs no sidecar)',
    namespaceLabels: { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'disabled' },
    inMesh: true,
  },
  {
    name: 'another dataplane mode is not ambient',
    namespaceLabels: { 'istio.io/dataplane-mode': 'none' },
    podLabels: { 'istio.io/dataplane-mode': 'none' },
    inMesh: false,
  },
  { name: 'option assumeMesh: every workload', options: { assumeMesh: true }, inMesh: true },
  {
    name: "the input's own mesh flag wins over assumeMesh",
    options: { assumeMesh: true },
    mesh: false,
    inMesh: false,
  },
  {
    name: "the input's own mesh flag wins over the pod label",
    podLabels: { 'sidecar.istio.io/inject': 'false' },
    mesh: true,
    inMesh: true,
  },
  {
    name: 'assumeMesh wins over the pod label',
    podLabels: { 'sidecar.istio.io/inject': 'false' },
    options: { assumeMesh: true },
    inMesh: true,
  },
];

t.test('mesh membership', async (t) => {
  for (const row of meshRows) {
    const m = model(
      {
        namespaces: [{ name: 'x', labels: row.namespaceLabels ?? {} }],
        workloads: [pod('x', 'a', row.podLabels ?? {}, row.mesh === undefined ? {} : { mesh: row.mesh })],
      },
      row.options,
    );
    t.equal(m.workloads[0]?.mesh, row.inMesh, row.name);
  }
});

t.test('namespaces carry kubernetes.io/metadata.name, as the API server sets it', async (t) => {
  const m = model({
    namespaces: [
      { name: 'y', labels: { team: 'b', [NAMESPACE_NAME_LABEL]: 'forged' } },
      { name: 'x', labels: { team: 'a' } },
    ],
    workloads: [pod('z', 'c', {})],
  });
  t.same(
    m.namespaces.map((ns) => [ns.name, ns.labels]),
    [
      ['x', { team: 'a', [NAMESPACE_NAME_LABEL]: 'x' }],
      ['y', { team: 'b', [NAMESPACE_NAME_LABEL]: 'y' }],
      // A namespace only the workloads name gets the name label alone.
      ['z', { [NAMESPACE_NAME_LABEL]: 'z' }],
    ],
    'sorted by name; the name label is always the name (the namespace controller overwrites it)',
  );
  t.throws(
    () => model({ namespaces: [{ name: 'x' }, { name: 'x' }] }),
    /namespace x is declared twice/,
    'a namespace declared twice is refused',
  );
});

t.test("each namespace's workloads are one index range, in namespace then name order", async (t) => {
  const m = model({
    namespaces: [{ name: 'empty' }],
    workloads: [
      pod('y', 'b', { p: 'b' }),
      pod('x', 'c', { p: 'c' }),
      pod('y', 'a', { p: 'a' }),
      pod('x', 'a', { p: 'a' }),
    ],
  });
  t.same(ids(m.workloads), ['x/a', 'x/c', 'y/a', 'y/b']);
  t.same(
    m.workloads.map((w) => w.index),
    [0, 1, 2, 3],
  );
  t.same(
    m.namespaces.map((ns) => [ns.name, ns.first, ns.end]),
    [
      ['empty', 0, 0],
      ['x', 0, 2],
      ['y', 2, 4],
    ],
  );
});

t.test('pods no policy can tell apart are one workload', async (t) => {
  const web = (name: string, extra: Partial<WorkloadInput> = {}) =>
    pod('x', name, { app: 'web' }, { owner: 'web', kind: 'Deployment', ...extra });
  const merged = model({
    workloads: [
      web('web-1', { ips: ['10.0.0.1'], source: 'a.yaml:1', ports: [{ port: 80 }] }),
      web('web-2', { ips: ['10.0.0.2'], source: 'a.yaml:9', ports: [{ port: 80, protocol: 'TCP' }] }),
    ],
  });
  t.equal(merged.workloads.length, 1, 'same labels, service account, ports (TCP by default) and mesh');
  t.match(merged.workloads[0], {
    id: 'x/web',
    name: 'web',
    kind: 'Deployment',
    members: ['web-1', 'web-2'],
    ips: ['10.0.0.1', '10.0.0.2'],
    ipsKnown: true,
    sources: ['a.yaml:1', 'a.yaml:9'],
    serviceAccount: 'default',
    ports: [{ port: 80, protocol: 'TCP' }],
  });
  t.equal(merged.engine.cluster.workloadByIp.get('10.0.0.2')?.id, 'x/web', 'every IP leads to its workload');

  const apart = (extra: Partial<WorkloadInput>, why: string) => {
    const m = model({ workloads: [web('web-1'), web('web-2', extra)] });
    t.same(ids(m.workloads), ['x/web-1', 'x/web-2'], `${why}: two workloads, named after their pods`);
  };
  apart({ serviceAccount: 'other' }, 'another service account');
  apart({ ports: [{ port: 80 }] }, 'other ports');
  apart({ mesh: true }, 'another mesh membership');
  apart({ labels: { app: 'web', 'pod-name': 'web-2' } }, "a StatefulSet pod's own label");
  const other = model({ workloads: [web('web-1'), web('web-2', { namespace: 'y' })] });
  t.same(ids(other.workloads), ['x/web', 'y/web'], 'another namespace: the owner name is unique in each');
  const same = model({ workloads: [web('web-1', { ports: [] }), web('web-2')] });
  t.same(ids(same.workloads), ['x/web'], 'no ports and ports not given are the same');
});

t.test('groups of one owner with several pods each are numbered in name order', async (t) => {
  const rs = (name: string, version: string) => pod('x', name, { app: 'web', version }, { owner: 'web' });
  const m = model({ workloads: [rs('web-c', 'v2'), rs('web-d', 'v2'), rs('web-a', 'v1'), rs('web-b', 'v1')] });
  // Mid-rollout: two ReplicaSets' pods, told apart only by their labels.
  t.same(ids(m.workloads), ['x/web', 'x/web#2']);
  t.same(
    m.workloads.map((w) => [w.name, w.members, w.labels.version]),
    [
      ['web', ['web-c', 'web-d'], 'v2'],
      ['web#2', ['web-a', 'web-b'], 'v1'],
    ],
    'the first group met keeps the name; a third would be #3',
  );
  const three = model({
    workloads: [rs('a1', 'v1'), rs('a2', 'v1'), rs('b1', 'v2'), rs('b2', 'v2'), rs('c1', 'v3'), rs('c2', 'v3')],
  });
  t.same(ids(three.workloads), ['x/web', 'x/web#2', 'x/web#3']);
});

t.test('addresses: known only when every merged pod came with its IPs', async (t) => {
  const m = model({
    workloads: [
      pod('x', 'a-1', { app: 'a' }, { ips: ['10.0.0.1', 'fd00::1'] }),
      pod('x', 'b-1', { app: 'b' }, { ips: ['10.0.0.2'] }),
      pod('x', 'b-2', { app: 'b' }),
      pod('x', 'c-1', { app: 'c' }, { ips: [] }),
    ],
  });
  t.same(
    m.workloads.map((w) => [w.id, w.ipsKnown, w.addresses.length]),
    [
      ['x/a-1', true, 2],
      ['x/b-1', false, 1],
      ['x/c-1', false, 0],
    ],
    'a template or a pending pod (no IP) leaves the group incomplete',
  );
  t.throws(
    () => model({ workloads: [pod('x', 'a', {}, { ips: ['10.0.0.300'] })] }),
    { message: 'workload x/a: "10.0.0.300" is not an IP address' },
    'a bad IP names the workload',
  );
});

// Cilium's endpoint labels (pkg/k8s/apis/cilium.io/const.go): the pod's labels, its namespace's labels under
// io.cilium.k8s.namespace.labels., io.kubernetes.pod.namespace, the service account and the cluster name.
t.test('the labels Cilium gives an endpoint', async (t) => {
  const input = {
    namespaces: [{ name: 'x', labels: { team: 'a' } }],
    workloads: [pod('x', 'a', { app: 'a' }, { serviceAccount: 'robot' })],
  };
  const expected = (cluster: string) => ({
    app: 'a',
    'io.cilium.k8s.namespace.labels.team': 'a',
    [`io.cilium.k8s.namespace.labels.${NAMESPACE_NAME_LABEL}`]: 'x',
    'io.kubernetes.pod.namespace': 'x',
    'io.cilium.k8s.policy.serviceaccount': 'robot',
    'io.cilium.k8s.policy.cluster': cluster,
  });
  t.same(model(input).workloads[0]?.ciliumLabels, expected('default'), 'cluster name "default" unless told');
  t.same(model(input, { ciliumCluster: 'east' }).workloads[0]?.ciliumLabels, expected('east'));
  t.same(model(input).workloads[0]?.labels, { app: 'a' }, 'the pod labels themselves are left alone');
});
