// Small builders for the e2e rows: NetworkPolicies the way the suite's helpers make them, and steps.
import type { Protocol } from '../../../src/policy/index.ts';
import { labels, type Manifest } from './manifests.ts';
import type { ClusterState, Probe, Step, TruthTable } from './netpol-e2e.ts';

type Rule = Record<string, unknown>;

/**
 * A NetworkPolicy as the suite builds it: a rule list that is given (even empty) adds its policy
 * type, in the order given, unless `policyTypes` says otherwise.
 */
export function netpol(
  namespace: string,
  name: string,
  podSelector: Manifest,
  rules: { ingress?: Rule[]; egress?: Rule[]; policyTypes?: string[] },
): Manifest {
  const types = rules.policyTypes ?? [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector,
      ...(rules.ingress ? { ingress: rules.ingress } : {}),
      ...(rules.egress ? { egress: rules.egress } : {}),
      policyTypes: types,
    },
  };
}

/** The empty selector. */
export const ALL: Manifest = {};
/** `pod: <name>`, the label every pod of the model carries. */
export const pod = (name: string): Manifest => labels({ pod: name });
/** The namespace's immutable name label. */
export const nsNamed = (name: string): Manifest => labels({ 'kubernetes.io/metadata.name': name });

/** Creates (or, with an existing name, updates) policies. */
export const apply =
  (...policies: Manifest[]) =>
  (state: ClusterState): void => {
    for (const p of policies) {
      const meta = p.metadata as { name: string; namespace: string };
      state.policies.set(`${meta.namespace}/${meta.name}`, p);
    }
  };

/** A step. */
export const step = (what: string, change: (state: ClusterState) => void, ...probes: Probe[]): Step => ({
  what,
  change,
  probes,
});

/** A probe round on a port and protocol with its truth table. */
export const probe = (port: number, protocol: Protocol, expect: (t: TruthTable) => TruthTable): Probe => ({
  port,
  protocol,
  expect,
});

/** The truth table unchanged: everything allowed. */
export const allAllowed = (t: TruthTable): TruthTable => t;
