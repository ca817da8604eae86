// The network-policy-api conformance suite of v0.2.0, written for ClusterNetworkPolicy (v1alpha2).
// Its tests are those of v0.1.7 with the API renamed: the same topology, rules, mutations and pokes
// (checked test by test against v0.2.0's Go sources and base manifests), so the rows reuse the
// v0.1.7 translation and rewrite each policy into its v1alpha2 form; where v0.2.0 differs, the row
// says so. The head after v0.2.0 adds steps to one subtest of each inline-CIDR test (below), kept and marked as the head's.

import { type ConformanceRow, ns, type Subtest } from './anp-conformance.ts';
import { ADMIN_ROWS } from './anp-conformance-admin.ts';
import { BASELINE_ROWS } from './anp-conformance-baseline.ts';
import { type Manifest, namespaceObject } from './manifests.ts';

/** kubernetes-sigs/network-policy-api tag v0.2.0 (the release commit), v1alpha2 only. */
export const CNP_CONFORMANCE_TAG = 'v0.2.0';
export const CNP_CONFORMANCE_COMMIT = 'a17adecd0316b8ff1c3f83939ec0441d68cd6cce';
/**
 * main after v0.2.0 when last read: the API changed only in descriptions (ICMP, hairpin), the suite only
 * by the namespace relabel of d4a027d ("Add namespace selector changes to conformance tests").
 */
export const CNP_HEAD_COMMIT = '0eec1b0e5fa92715b4c0f4c48d3c8d2913ed2159';

/** v0.2.0's baseline policies: tier Baseline, still named `default`, priority 10. */
const BASELINE_PRIORITY = 10;

type Rule = Record<string, unknown>;

/** `ports` entries of v1alpha1 → `protocols` entries of v1alpha2. */
function protocolMatch(port: Record<string, Record<string, unknown> | string>): Manifest {
  if (typeof port.namedPort === 'string') return { destinationNamedPort: port.namedPort };
  const n = port.portNumber as { port: number; protocol?: string } | undefined;
  if (n) return { [(n.protocol ?? 'TCP').toLowerCase()]: { destinationPort: { number: n.port } } };
  const r = port.portRange as { start: number; end: number; protocol?: string };
  return { [(r.protocol ?? 'TCP').toLowerCase()]: { destinationPort: { range: { start: r.start, end: r.end } } } };
}

function rule(r: Rule): Rule {
  const { action, ports, ...rest } = r;
  return {
    ...rest,
    action: action === 'Allow' ? 'Accept' : action,
    ...(ports ? { protocols: (ports as Record<string, Record<string, unknown>>[]).map(protocolMatch) } : {}),
  };
}

/** An AdminNetworkPolicy or BaselineAdminNetworkPolicy as the ClusterNetworkPolicy v0.2.0 applies instead. */
export function toClusterNetworkPolicy(m: Manifest): Manifest {
  if (m.kind !== 'AdminNetworkPolicy' && m.kind !== 'BaselineAdminNetworkPolicy') return m;
  const spec = m.spec as { priority?: number; subject: Manifest; ingress?: Rule[]; egress?: Rule[] };
  const admin = m.kind === 'AdminNetworkPolicy';
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: m.metadata,
    spec: {
      tier: admin ? 'Admin' : 'Baseline',
      priority: admin ? spec.priority : BASELINE_PRIORITY,
      subject: spec.subject,
      ...(spec.ingress ? { ingress: spec.ingress.map(rule) } : {}),
      ...(spec.egress ? { egress: spec.egress.map(rule) } : {}),
    },
  };
}

/** `AdminNetworkPolicyIngressTCP` → `CNPAdminTierIngressTCP`, as v0.2.0 names its tests. */
const shortName = (name: string): string =>
  name.replace(/^BaselineAdminNetworkPolicy/, 'CNPBaselineTier').replace(/^AdminNetworkPolicy/, 'CNPAdminTier');

/** Subtest names v0.2.0 reworded for the new API. */
const subtestName = (name: string): string =>
  name
    .replace('respecting ANP', 'respecting admin CNP')
    .replace('policy for ANP and', 'policy for admin CNP and')
    .replace('baseline admin network policy', 'baseline cluster network policy')
    .replace('respect ANP priority field', 'respect admin CNP priority field')
    .replace('over to BANP', 'over to baseline CNP');

const slytherinLabelled = (house: string) => (policies: Map<string, Manifest>) => {
  policies.set(`Namespace/${ns('slytherin')}`, namespaceObject(ns('slytherin'), { 'conformance-house': house }));
};

/**
 * Not in v0.2.0: at {@link CNP_HEAD_COMMIT} the inline-CIDR deny subtest goes on after its pokes:
 * slytherin's namespace is relabelled so the `pods` Accept no longer matches (the internet Deny then
 * catches draco-malfoy-0's IP), then back. Only `afterwards` steps: v0.2.0's own pokes come first, unchanged.
 */
function withRelabel(sub: Subtest): Subtest {
  const dm0 = (verdict: string) => ['tcp/80', 'udp/53', 'sctp/9003'].map((p) => `hp1 > dm0 ${p} ${verdict}`);
  return {
    ...sub,
    afterwards: [
      { change: slytherinLabelled('denied-namespace-label'), pokes: dm0('deny') },
      { change: slytherinLabelled('slytherin'), pokes: dm0('allow') },
    ],
  };
}

function port(row: ConformanceRow): ConformanceRow {
  const cidr = /EgressInlineCIDRPeers$/.test(row.shortName);
  const { refused: _refused, ...kept } = row;
  return {
    ...kept,
    shortName: shortName(row.shortName),
    convert: toClusterNetworkPolicy,
    subtests: row.subtests.map((sub, i) => {
      const renamed = { ...sub, name: subtestName(sub.name) };
      return cidr && i === 0 ? withRelabel(renamed) : renamed;
    }),
    // v1alpha2 `nodes` peers are modelled (src/policy/nodes.ts), so the node-peer tests load (`refused` is
    // dropped); their subtests poke host-network pods (centaur), which the model leaves out, and stay without
    // pokes as in v0.1.7's port.
  };
}

/** Every ConformanceTest of v0.2.0's ClusterNetworkPolicy profile (with the head's added steps). */
export const CNP_ROWS: readonly ConformanceRow[] = [...ADMIN_ROWS, ...BASELINE_ROWS].map(port);
