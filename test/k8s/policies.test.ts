// The three policy flavours refer to real lab pods, namespaces, ports and service accounts.
// (Whether they admit exactly the expected sources is policy-model.test.ts, with prober's engine.)

import t from 'tap';
import {
  type LabelSelector,
  namespaceLabels,
  type PodTemplate,
  podTemplates,
  renderAll,
  resolveTargetPort,
  selects,
} from './lab.ts';
import { type K8sObject, readDocuments, yamlFiles } from './manifests.ts';

const { lab } = renderAll();
const pods = podTemplates(lab).filter((p) => p.namespace !== 'prober');
const nsLabels = namespaceLabels(lab);
const flavour = (dir: string): K8sObject[] =>
  yamlFiles(`policies/${dir}`).flatMap((f) => readDocuments(f).map((d) => d.object));
const spec = <T>(o: K8sObject): T => o.spec as T;

interface NetworkPolicySpec {
  podSelector: LabelSelector;
  ingress?: { from?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector }[] }[];
}

interface AuthorizationSpec {
  selector?: LabelSelector;
  rules?: { from?: { source: { principals?: string[] } }[] }[];
}

/** The labels Cilium gives a pod's identity (without source prefixes). */
function ciliumIdentity(pod: PodTemplate): Record<string, string> {
  const fromNamespace = Object.entries(nsLabels.get(pod.namespace) ?? {}).map(([k, v]) => [
    `io.cilium.k8s.namespace.labels.${k}`,
    v,
  ]);
  return {
    ...pod.labels,
    ...Object.fromEntries(fromNamespace),
    'io.kubernetes.pod.namespace': pod.namespace,
    'io.cilium.k8s.policy.serviceaccount': pod.spec.serviceAccountName ?? 'default',
  };
}

/** A Cilium endpoint selector as seen from a policy in `namespace` (scoped to it unless it names namespaces). */
function ciliumSelector(selector: LabelSelector, namespace: string): LabelSelector {
  const strip = (key: string): string => key.replace(/^(k8s|any):/, '');
  const matchLabels = Object.fromEntries(Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [strip(k), v]));
  const matchExpressions = (selector.matchExpressions ?? []).map((e) => ({ ...e, key: strip(e.key) }));
  const keys = [...Object.keys(matchLabels), ...matchExpressions.map((e) => e.key)];
  const namesNamespace = keys.some(
    (k) => k === 'io.kubernetes.pod.namespace' || k.startsWith('io.cilium.k8s.namespace.labels.'),
  );
  return {
    matchLabels: namesNamespace ? matchLabels : { ...matchLabels, 'io.kubernetes.pod.namespace': namespace },
    matchExpressions,
  };
}

interface CiliumSpec {
  endpointSelector: LabelSelector;
  ingress?: { fromEndpoints?: LabelSelector[] }[];
}

t.test('every policy selector selects a lab pod', async (t) => {
  const redis = pods.find((p) => p.labels.app === 'redis');
  if (!redis) throw new Error('no Redis pod template');
  for (const o of flavour('networkpolicy')) {
    const s = spec<NetworkPolicySpec>(o);
    t.ok(
      pods.some((p) => p.namespace === o.metadata.namespace && selects(s.podSelector, p.labels)),
      `NetworkPolicy ${o.metadata.name} selects a pod`,
    );
    for (const peer of (s.ingress ?? []).flatMap((r) => r.from ?? [])) {
      if (peer.namespaceSelector)
        t.ok(
          [...nsLabels.values()].some((l) => selects(peer.namespaceSelector!, l)),
          `NetworkPolicy ${o.metadata.name}: namespaceSelector selects a lab namespace`,
        );
    }
  }
  for (const o of flavour('cilium')) {
    const s = spec<CiliumSpec>(o);
    t.ok(
      pods.some((p) => selects(ciliumSelector(s.endpointSelector, o.metadata.namespace ?? ''), ciliumIdentity(p))),
      `CiliumNetworkPolicy ${o.metadata.name} selects a pod`,
    );
    for (const from of (s.ingress ?? []).flatMap((r) => r.fromEndpoints ?? [])) {
      t.ok(
        pods.some((p) => selects(ciliumSelector(from, o.metadata.namespace ?? ''), ciliumIdentity(p))),
        `CiliumNetworkPolicy ${o.metadata.name}: fromEndpoints selects a pod`,
      );
    }
  }
  const accounts = new Set(pods.map((p) => `cluster.local/ns/${p.namespace}/sa/${p.spec.serviceAccountName}`));
  const peerAuth = flavour('istio').filter((o) => o.kind === 'PeerAuthentication');
  t.same(
    peerAuth.map((o) => o.metadata.namespace).sort(),
    [...new Set(pods.map((p) => p.namespace))].sort(),
    'STRICT mTLS in every lab namespace',
  );
  for (const o of flavour('istio').filter((x) => x.kind === 'AuthorizationPolicy')) {
    const s = spec<AuthorizationSpec>(o);
    t.ok(
      pods.some((p) => p.namespace === o.metadata.namespace && selects(s.selector ?? {}, p.labels)),
      `AuthorizationPolicy ${o.metadata.name} selects a pod`,
    );
    for (const principal of (s.rules ?? []).flatMap((r) => r.from ?? []).flatMap((f) => f.source.principals ?? [])) {
      t.ok(
        accounts.has(principal),
        `AuthorizationPolicy ${o.metadata.name}: ${principal} is a lab pod's service account`,
      );
    }
  }
  t.equal(resolveTargetPort(redis, 'redis'), 6379, 'the port the policies open is Redis’s');
});
