// Lint checks on what selectors pick: policies that select no pod (PL001), peers that match nothing (PL002).
import { matches } from '../labels.ts';
import type { Engine } from '../model.ts';
import type { NamespaceScope, NetworkLayerPolicy, ParsedPolicy, PodsSpec } from '../spec.ts';
import { type Finding, finding } from './findings.ts';

/** The network-layer policies (NetworkPolicy, ANP, BANP, Cilium) among parsed ones. */
export function networkPolicies(policies: readonly ParsedPolicy[]): NetworkLayerPolicy[] {
  return policies.filter((p): p is NetworkLayerPolicy => p.layer === 'network');
}

function scopeText(scope: NamespaceScope): string {
  return scope.kind === 'names' ? `namespace ${scope.names.join(', ')}` : `namespaces ${scope.selector.key}`;
}

function namespacesExist(engine: Engine, scope: NamespaceScope): boolean {
  const { cluster } = engine;
  if (scope.kind === 'names') return scope.names.some((n) => cluster.namespaceByName.has(n));
  return cluster.namespaces.some((ns) => matches(scope.selector, ns.labels));
}

/** The named namespaces of a scope when none of them holds a workload of the input (the manifests are partial). */
function emptyNamespaces(engine: Engine, scope: NamespaceScope): string | undefined {
  if (scope.kind !== 'names') return undefined;
  const empty = scope.names.every((n) => {
    const ns = engine.cluster.namespaceByName.get(n);
    return !ns || ns.first === ns.end;
  });
  return empty ? `namespace ${scope.names.join(', ')}` : undefined;
}

/** PL001: policies whose subject is empty in the manifests. */
export function policiesSelectingNothing(engine: Engine, policies: readonly ParsedPolicy[]): Finding[] {
  const out: Finding[] = [];
  for (const policy of policies) {
    if (policy.layer === 'network') {
      if (!engine.sets.pods(policy.subject).isEmpty()) continue;
      const empty = emptyNamespaces(engine, policy.subject.namespaces);
      out.push(
        finding(
          'PL001',
          policy.source,
          policy.ref,
          `${policy.ref} selects no pod (${subjectText(policy.subject)}): it isolates and allows nothing`,
          empty
            ? `the manifests hold no workload in ${empty}: give its Deployments or Pods with -f, or fix the namespace`
            : 'fix the selector or namespace to match the pods it is meant for, or delete the policy',
        ),
      );
    } else if (policy.layer === 'authz') {
      const selected = engine.cluster.workloads.some(
        (w) =>
          (w.namespace === policy.namespace || engine.rootNamespace === policy.namespace) &&
          (policy.selector === null || matches(policy.selector, w.labels)),
      );
      if (selected) continue;
      out.push(
        finding(
          'PL001',
          policy.source,
          policy.ref,
          `${policy.ref} selects no workload in namespace ${policy.namespace}${policy.selector ? ` with labels ${policy.selector.key}` : ''}`,
          'fix selector.matchLabels or the namespace, or delete the policy',
        ),
      );
    }
  }
  return out;
}

function subjectText(subject: PodsSpec): string {
  return `${scopeText(subject.namespaces)}, pods ${subject.pods.key}`;
}

/** PL002: pod peers of rules that match no namespace, or no pod in the namespaces they match. */
export function peersMatchingNothing(engine: Engine, policies: readonly ParsedPolicy[]): Finding[] {
  const out: Finding[] = [];
  for (const policy of networkPolicies(policies)) {
    for (const rule of [...(policy.ingress?.rules ?? []), ...(policy.egress?.rules ?? [])]) {
      if (rule.peers === 'all') continue;
      rule.peers.forEach((peer, i) => {
        if (peer.kind !== 'pods' || !engine.sets.pods(peer).isEmpty()) return;
        const noNamespace = !namespacesExist(engine, peer.namespaces);
        const subject = `${rule.ref} peer[${i}]`;
        out.push(
          finding(
            'PL002',
            policy.source,
            subject,
            noNamespace
              ? `${subject} matches no namespace (${scopeText(peer.namespaces)})`
              : `${subject} matches no pod (${subjectText(peer)})`,
            noNamespace
              ? 'check the namespaceSelector against the namespaces’ labels (kubernetes.io/metadata.name is always set)'
              : 'check the podSelector against the pods’ labels in those namespaces',
          ),
        );
      });
    }
  }
  return out;
}
