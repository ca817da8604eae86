// Peak memory of the whole `prober simulate --cluster` command (the built binary, as the Job runs prober)
// reading a big cluster from the in-process fake API server (test/cluster/fake/, real HTTPS, 500 objects
// a page): 50,000 pods side by side with 5,000, each pod the size of a real one (managedFields, status,
// volumes), one NetworkPolicy per 25 pods. The question it answers: does the Job's 256 Mi memory limit
// (k8s/prober/job) hold a cluster of 50,000 pods?

import { FakeApiServer } from '../test/cluster/fake/apiserver.ts';
import { type CommandCost, measureCommandAsync } from './command.ts';

const NAMESPACES = 100;
const WORKLOAD_PODS = 25;

type Json = Record<string, any>;

/** The fields a kubelet, a controller and server-side apply put on a real pod, at their usual sizes. */
function lifelike(pod: Json, i: number): void {
  const time = '2026-11-30T08:00:00Z';
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
    'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:ports': {}, 'f:resources': {} } } },
  };
  pod.metadata.managedFields = [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time,
      fieldsType: 'FieldsV1',
      fieldsV1,
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {}, 'f:podIPs': {} } },
    },
  ];
  pod.metadata.uid = `0f5c${String(i).padStart(8, '0')}-8d2e-4c1b-9a77-3e2f1b6d9c40`;
  pod.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': time, 'prometheus.io/scrape': 'true' };
  pod.metadata.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${pod.metadata.labels.app}-7d9f8c6b5`, controller: true },
  ];
  pod.spec.nodeName = `node-${i % 300}`;
  pod.spec.volumes = [
    {
      name: 'kube-api-access',
      projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] },
    },
  ];
  pod.spec.containers[0].resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };
  pod.spec.containers[0].env = [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'PORT', value: '8080' },
  ];
  pod.spec.tolerations = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  pod.status.hostIP = `192.168.${(i >> 8) & 255}.${i & 255}`;
  pod.status.containerStatuses = [
    {
      name: 'main',
      ready: true,
      restartCount: 0,
      image: 'registry.example/workload:1',
      imageID: 'registry.example/workload@sha256:4c1d5e0b9a8f7e6d5c4b3a29181716151413121110090807060504030201aa',
      containerID: `containerd://${String(i).padStart(64, 'a')}`,
      state: { running: { startedAt: time } },
    },
  ];
}

/** Fills the fake with `pods` pods in workloads of 25, one NetworkPolicy per workload. */
function populate(fake: FakeApiServer, pods: number): void {
  for (let i = 0; i < NAMESPACES; i += 1) fake.addNamespace(`ns-${i}`);
  for (let i = 0; i < pods; i += 1) {
    const workload = Math.floor(i / WORKLOAD_PODS);
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const pod = fake.addPod({
      namespace: `ns-${workload % NAMESPACES}`,
      name: `w${workload}-${i}`,
      labels: { app: `w${workload}`, 'pod-template-hash': '7d9f8c6b5' },
      ip,
      ports: [{ name: 'http', containerPort: 8080 }],
    });
    lifelike(pod, i);
  }
  for (let w = 0; w < pods / WORKLOAD_PODS; w += 1)
    fake.addPolicy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `allow-w${w}`, namespace: `ns-${w % NAMESPACES}` },
      spec: {
        podSelector: { matchLabels: { app: `w${w}` } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: `w${w + 1}` } } }], ports: [{ port: 8080 }] }],
      },
    });
}

/** One run of `simulate --cluster --explain` (the whole read and model, one cell out) against `pods` pods. */
async function measure(
  pods: number,
  env: Record<string, string> = {},
): Promise<CommandCost & { pods: number; env: Record<string, string>; listRequests: number; pageBytes: number }> {
  const teardowns: (() => unknown)[] = [];
  try {
    const fake = await FakeApiServer.start({ teardown: (fn: () => unknown) => teardowns.push(fn) } as never);
    populate(fake, pods);
    const pageBytes = JSON.stringify(fake.pods().slice(0, 500)).length;
    const cost = await measureCommandAsync(
      ['simulate', '--kubeconfig', fake.kubeconfig, '--explain', 'ns-1/w1-7d9f8c6b5', 'ns-0/w0-7d9f8c6b5', '8080'],
      env,
    );
    return { pods, env, ...cost, listRequests: fake.seen('list', 'pods').length, pageBytes };
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}

/** The `liveMemory` section of `npm run bench`. */
export async function benchLiveMemory(): Promise<Record<string, unknown>> {
  const small = await measure(5_000);
  const big = await measure(50_000);
  // V8 grows its heap lazily on a machine with memory to spare; in a container it sizes the heap to the
  // cgroup's limit. A heap capped below the Job's limit shows what the run needs, not what it may take.
  const capped = await measure(50_000, { NODE_OPTIONS: '--max-old-space-size=160' });
  return {
    name: 'liveMemory',
    description:
      'peak RSS of the whole `prober simulate --kubeconfig … --explain` (built binary) reading lifelike pods from the fake API server, 500 a page',
    jobMemoryLimitMB: 256,
    runs: [small, big, capped],
    podsRatio: big.pods / small.pods,
    peakRssRatio: Math.round((big.peakRssMB / small.peakRssMB) * 10) / 10,
    holdsJobLimitUncapped: big.exitCode === 0 && big.peakRssMB < 256,
    holdsJobLimitWithHeapCap: capped.exitCode === 0 && capped.peakRssMB < 256,
  };
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(await benchLiveMemory(), null, 2)}\n`);
