// `simulate --cluster` against a big cluster: 5,000 pods and 1,000 NetworkPolicies read from the
// in-process fake API server (test/cluster/fake/, real HTTPS, 500 objects a page) and modelled, side by
// side with the same objects given as one `kubectl get -o json` dump with -f.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientNodeApi } from '../src/cluster/client-node-api.ts';
import { connect } from '../src/cluster/connection.ts';
import { readClusterObjects } from '../src/cluster/live-read.ts';
import { loadPolicyModel } from '../src/orchestration/policy-model.ts';
import { FakeApiServer } from '../test/cluster/fake/apiserver.ts';

const PODS = 5_000;
const POLICIES = 1_000;
const NAMESPACES = 50;
const round = (ms: number): number => Math.round(ms);

/** Fills the fake like a mid-size cluster: 200 workloads of 25 pods each, one policy per 5 pods. */
function populate(fake: FakeApiServer): object[] {
  const objects: object[] = [];
  for (let i = 0; i < NAMESPACES; i += 1) fake.addNamespace(`ns-${i}`);
  for (let i = 0; i < PODS; i += 1) {
    const ip = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    const labels = { app: `w${i % 200}` };
    objects.push(fake.addPod({ namespace: `ns-${i % NAMESPACES}`, name: `w${i % 200}-${i}`, labels, ip }));
  }
  for (let i = 0; i < POLICIES; i += 1) {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `p${i}`, namespace: `ns-${i % NAMESPACES}` },
      spec: {
        podSelector: { matchLabels: { app: `w${i % 200}` } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: `w${(i + 1) % 200}` } } }] }],
      },
    };
    fake.addPolicy(policy);
    objects.push(policy);
  }
  return objects;
}

/** The `liveRead` section of `npm run bench`: wall times of the live read and of the same objects from a file. */
export async function benchLiveRead(): Promise<Record<string, unknown>> {
  const teardowns: (() => unknown)[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'prober-bench-live-'));
  try {
    const fake = await FakeApiServer.start({ teardown: (fn: () => unknown) => teardowns.push(fn) } as never);
    const objects = populate(fake);
    const quiet = { warn: () => {}, io: { cwd: process.cwd(), stdin: process.stdin } };
    const started = performance.now();
    const read = await readClusterObjects(
      clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env })),
      [],
    );
    const listed = performance.now();
    await loadPolicyModel([], { live: { cluster: 'fake', ...read }, ...quiet });
    const live = { readMs: round(listed - started), totalMs: round(performance.now() - started) };
    const dump = join(dir, 'dump.json');
    const namespaces = [...Array(NAMESPACES).keys()].map((i) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `ns-${i}` },
    }));
    writeFileSync(dump, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...namespaces, ...objects] }));
    const fromFile = performance.now();
    await loadPolicyModel([dump], quiet);
    const file = { totalMs: round(performance.now() - fromFile) };
    return {
      name: 'liveRead',
      description: `simulate's inputs from the fake API server vs one JSON dump of the same ${PODS} pods and ${POLICIES} NetworkPolicies`,
      listRequests: {
        pods: fake.seen('list', 'pods').length,
        networkpolicies: fake.seen('list', 'networkpolicies').length,
      },
      live,
      file,
      fileToLiveRatio: Math.round((file.totalMs / live.totalMs) * 10) / 10,
    };
  } finally {
    for (const fn of teardowns.reverse()) await fn();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(await benchLiveRead(), null, 2)}\n`);
