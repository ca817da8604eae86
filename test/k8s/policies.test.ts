// The three policy flavours select real lab pods, and each lets exactly the expected sources reach Redis.

import t from 'tap';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespaceLabels, podTemplates, renderAll, resolveTargetPort, selects, type LabelSelector, type PodTemplate } from './lab.ts';
import { readDocuments, REPO, yamlFiles, type K8sObject } from './manifests.ts';

const { lab } = renderAll();
const pods = podTemplates(lab).filter((p) => p.namespace !== 'prober');
const nsLabels = namespaceLabels(lab);
const flavour = (dir: string): K8sObject[] => yamlFiles(`policies/${dir}`).flatMap((f) => readDocuments(f).map((d) => d.object));
const spec = <T>(o: K8sObject): T => o['spec'] as T;

/** Whether a source pod may open a TCP connection to `port` on `target` under one flavour's objects. */
type Decide = (objects: readonly K8sObject[], source: PodTemplate, target: PodTemplate, port: number) => boolean;

interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector }[]; ports?: { port?: number | string; protocol?: string }[] }[];
}

// NetworkPolicy ingress semantics (enough for these policies): isolated once selected; any rule of
// any selecting policy may allow; peers are namespace AND pod selectors; ports by number or name.
const networkPolicy: Decide = (objects, source, target, port) => {
  const selecting = objects.filter((o) => o.metadata.namespace === target.namespace && selects(spec<NetworkPolicySpec>(o).podSelector, target.labels));
  if (selecting.length === 0) return true;
  return selecting.some((o) =>
    (spec<NetworkPolicySpec>(o).ingress ?? []).some((rule) => {
      const fromOk = !rule.from || rule.from.some((peer) => {
        const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels.get(source.namespace) ?? {}) : source.namespace === target.namespace;
        return nsOk && (!peer.podSelector || selects(peer.podSelector, source.labels));
      });
      const portOk = !rule.ports || rule.ports.some((p) => p.port === undefined || (typeof p.port === 'number' ? p.port === port : resolveTargetPort(target, p.port, p.protocol) === port));
      return fromOk && portOk;
    }),
  );
};

/** The labels Cilium gives a pod's identity (without source prefixes). */
function ciliumIdentity(pod: PodTemplate): Record<string, string> {
  const fromNamespace = Object.entries(nsLabels.get(pod.namespace) ?? {}).map(([k, v]) => [`io.cilium.k8s.namespace.labels.${k}`, v]);
  return { ...pod.labels, ...Object.fromEntries(fromNamespace), 'io.kubernetes.pod.namespace': pod.namespace, 'io.cilium.k8s.policy.serviceaccount': pod.spec.serviceAccountName ?? 'default' };
}

/** A Cilium endpoint selector as seen from a policy in `namespace` (scoped to it unless it names namespaces). */
function ciliumSelector(selector: LabelSelector, namespace: string): LabelSelector {
  const strip = (key: string): string => key.replace(/^(k8s|any):/, '');
  const matchLabels = Object.fromEntries(Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [strip(k), v]));
  const matchExpressions = (selector.matchExpressions ?? []).map((e) => ({ ...e, key: strip(e.key) }));
  const keys = [...Object.keys(matchLabels), ...matchExpressions.map((e) => e.key)];
  const namesNamespace = keys.some((k) => k === 'io.kubernetes.pod.namespace' || k.startsWith('io.cilium.k8s.namespace.labels.'));
  return { matchLabels: namesNamespace ? matchLabels : { ...matchLabels, 'io.kubernetes.pod.namespace': namespace }, matchExpressions };
}

interface CiliumSpec {
  endpointSelector: LabelSelector;
  ingress?: { fromEndpoints?: LabelSelector[]; toPorts?: { ports: { port: string; protocol?: string }[] }[] }[];
}

const cilium: Decide = (objects, source, target, port) => {
  const selecting = objects.filter((o) => selects(ciliumSelector(spec<CiliumSpec>(o).endpointSelector, o.metadata.namespace ?? ''), ciliumIdentity(target)));
  if (!selecting.some((o) => spec<CiliumSpec>(o).ingress)) return true;
  return selecting.some((o) =>
    (spec<CiliumSpec>(o).ingress ?? []).some((rule) => {
      const fromOk = (rule.fromEndpoints ?? []).some((s) => selects(ciliumSelector(s, o.metadata.namespace ?? ''), ciliumIdentity(source)));
      const portOk = !rule.toPorts || rule.toPorts.some((tp) => tp.ports.some((p) => Number(p.port) === port || resolveTargetPort(target, p.port) === port));
      return fromOk && portOk;
    }),
  );
};

interface AuthorizationSpec {
  selector?: LabelSelector;
  action?: string;
  rules?: { from?: { source: { principals?: string[] } }[]; to?: { operation: { ports?: string[] } }[] }[];
}

// Istio ALLOW policies only (the lab has no DENY): selected workloads accept what a rule matches.
const istio: Decide = (objects, source, target, port) => {
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === target.namespace && selects(spec<AuthorizationSpec>(o).selector ?? {}, target.labels));
  if (policies.length === 0) return true;
  const principal = `cluster.local/ns/${source.namespace}/sa/${source.spec.serviceAccountName ?? 'default'}`;
  return policies.some((o) =>
    (spec<AuthorizationSpec>(o).rules ?? []).some(
      (rule) => (!rule.from || rule.from.some((f) => f.source.principals?.includes(principal))) && (!rule.to || rule.to.some((x) => !x.operation.ports || x.operation.ports.includes(String(port)))),
    ),
  );
};

const FLAVOURS: Record<string, Decide> = { networkpolicy: networkPolicy, cilium, istio };

t.test('every policy selector selects a lab pod', async (t) => {
  const redis = pods.find((p) => p.labels['app'] === 'redis');
  if (!redis) throw new Error('no Redis pod template');
  for (const o of flavour('networkpolicy')) {
    const s = spec<NetworkPolicySpec>(o);
    t.ok(pods.some((p) => p.namespace === o.metadata.namespace && selects(s.podSelector, p.labels)), `NetworkPolicy ${o.metadata.name} selects a pod`);
    for (const peer of (s.ingress ?? []).flatMap((r) => r.from ?? [])) {
      if (peer.namespaceSelector) t.ok([...nsLabels.values()].some((l) => selects(peer.namespaceSelector!, l)), `NetworkPolicy ${o.metadata.name}: namespaceSelector selects a lab namespace`);
    }
  }
  for (const o of flavour('cilium')) {
    const s = spec<CiliumSpec>(o);
    t.ok(pods.some((p) => selects(ciliumSelector(s.endpointSelector, o.metadata.namespace ?? ''), ciliumIdentity(p))), `CiliumNetworkPolicy ${o.metadata.name} selects a pod`);
    for (const from of (s.ingress ?? []).flatMap((r) => r.fromEndpoints ?? [])) {
      t.ok(pods.some((p) => selects(ciliumSelector(from, o.metadata.namespace ?? ''), ciliumIdentity(p))), `CiliumNetworkPolicy ${o.metadata.name}: fromEndpoints selects a pod`);
    }
  }
  const accounts = new Set(pods.map((p) => `cluster.local/ns/${p.namespace}/sa/${p.spec.serviceAccountName}`));
  const peerAuth = flavour('istio').filter((o) => o.kind === 'PeerAuthentication');
  t.same(peerAuth.map((o) => o.metadata.namespace).sort(), [...new Set(pods.map((p) => p.namespace))].sort(), 'STRICT mTLS in every lab namespace');
  for (const o of flavour('istio').filter((x) => x.kind === 'AuthorizationPolicy')) {
    const s = spec<AuthorizationSpec>(o);
    t.ok(pods.some((p) => p.namespace === o.metadata.namespace && selects(s.selector ?? {}, p.labels)), `AuthorizationPolicy ${o.metadata.name} selects a pod`);
    for (const principal of (s.rules ?? []).flatMap((r) => r.from ?? []).flatMap((f) => f.source.principals ?? [])) {
      t.ok(accounts.has(principal), `AuthorizationPolicy ${o.metadata.name}: ${principal} is a lab pod's service account`);
    }
  }
  t.equal(resolveTargetPort(redis, 'redis'), 6379, 'the port the policies open is Redis’s');
});

t.test('each flavour lets exactly the expected sources reach Redis', async (t) => {
  const test = parse(readFileSync(join(REPO, 'policies/expectations.yaml'), 'utf8')) as {
    spec: { sources: Record<string, { namespace: string; selector: Record<string, string> }>; expect: { from: string; to: string; verdict: string }[] };
  };
  const redis = pods.find((p) => p.labels['app'] === 'redis');
  if (!redis) throw new Error('no Redis pod template');
  for (const [name, decide] of Object.entries(FLAVOURS)) {
    const objects = flavour(name);
    t.ok(objects.length > 0, `${name} has policies`);
    for (const [sourceName, source] of Object.entries(test.spec.sources)) {
      const pod = pods.find((p) => p.namespace === source.namespace && selects({ matchLabels: source.selector }, p.labels));
      if (!pod) throw new Error(`source ${sourceName} selects no pod`);
      const expected = test.spec.expect.find((r) => r.from === sourceName && r.to === 'redis')?.verdict;
      t.equal(decide(objects, pod, redis, 6379) ? 'allow' : 'deny', expected, `${name}: ${sourceName} → redis`);
      // Without the policy everything is open: the flavour, not the lab, makes the difference.
      t.equal(decide([], pod, redis, 6379), true, `no policy: ${sourceName} → redis is open`);
    }
    // Only Redis's ingress is restricted: no flavour touches the other workloads.
    for (const target of pods.filter((p) => p !== redis)) {
      const port = target.spec.containers[0]?.ports?.[0]?.containerPort ?? 0;
      for (const source of pods) t.ok(decide(objects, source, target, port), `${name}: ${source.owner} → ${target.owner} stays open`);
    }
  }
});
