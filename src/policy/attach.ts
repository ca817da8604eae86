// Which policies (and rules, in evaluation order) apply to each workload, per direction and tier.
import { compareText } from '../model/names.ts';
import type { Cluster, Workload } from './cluster.ts';
import { matches } from './labels.ts';
import type { PeerSets } from './sets.ts';
import type {
  AuthzPolicy,
  DirectionRules,
  MtlsMode,
  NetworkLayerPolicy,
  ParsedPolicy,
  PeerAuthPolicy,
  Rule,
} from './spec.ts';

/** A policy's section for one direction, as attached to a workload. */
interface Attached {
  readonly policy: NetworkLayerPolicy;
  readonly section: DirectionRules;
}

/** Everything that applies to one workload in one direction. */
export interface DirectionAttachments {
  /** Admin tier rules (AdminNetworkPolicy, ClusterNetworkPolicy) in evaluation order (priority, then policy name, then rule order). */
  readonly admin: Rule[];
  /** NetworkPolicy and Cilium sections: isolation and allow/deny rules. */
  readonly network: Attached[];
  /** Baseline tier rules (BaselineAdminNetworkPolicy, ClusterNetworkPolicy) in the same order. */
  readonly baseline: Rule[];
}

/** Every rule attached to a direction, in the order the tiers judge: admin, NetworkPolicy, baseline. */
export function attachedRules(att: DirectionAttachments): Rule[] {
  return [...att.admin, ...att.network.flatMap((a) => a.section.rules), ...att.baseline];
}

export type Direction = 'ingress' | 'egress';

/** Istio policies applying to one workload. */
interface MeshAttachments {
  readonly allow: AuthzPolicy[];
  readonly deny: AuthzPolicy[];
}

export interface Attachments {
  readonly ingress: readonly DirectionAttachments[];
  readonly egress: readonly DirectionAttachments[];
  readonly mesh: readonly MeshAttachments[];
  /** Effective mTLS mode of a workload's port and the PeerAuthentication that set it. */
  mtls(workload: Workload, port: number): { mode: MtlsMode; ref: string | undefined };
  readonly warnings: readonly string[];
}

/**
 * A run of a tier's rules, in evaluation order. `policies` holds one list when the order is defined
 * (one policy, or AdminNetworkPolicies ordered by name); several when ClusterNetworkPolicies of the
 * same tier and priority apply to the pod: the API lets an implementation apply any of them, so
 * each policy's rules are walked on their own and every outcome they give is possible.
 */
export interface RuleGroup {
  readonly policies: readonly (readonly Rule[])[];
}

/** Splits a tier's rules (already in evaluation order) into groups. */
export function ruleGroups(rules: readonly Rule[]): RuleGroup[] {
  const out: { policies: Rule[][] }[] = [];
  let tie: string | undefined;
  let policy: string | undefined;
  for (const rule of rules) {
    const last = out.at(-1);
    if (last && rule.tie !== undefined && rule.tie === tie) {
      if (rule.policy === policy) last.policies.at(-1)!.push(rule);
      else last.policies.push([rule]);
    } else if (last && rule.tie === undefined && tie === undefined) {
      last.policies[0]!.push(rule);
    } else {
      out.push({ policies: [[rule]] });
    }
    tie = rule.tie;
    policy = rule.policy;
  }
  return out;
}

function byEvaluationOrder(a: NetworkLayerPolicy, b: NetworkLayerPolicy): number {
  return a.priority - b.priority || compareText(a.ref, b.ref);
}

/** Attaches every parsed policy to the workloads it selects. */
export function attach(
  cluster: Cluster,
  sets: PeerSets,
  policies: readonly ParsedPolicy[],
  rootNamespace: string,
): Attachments {
  const n = cluster.workloads.length;
  const make = (): DirectionAttachments[] =>
    Array.from({ length: n }, () => ({ admin: [], network: [], baseline: [] }));
  const ingress = make();
  const egress = make();
  const mesh: MeshAttachments[] = Array.from({ length: n }, () => ({ allow: [], deny: [] }));
  const warnings: string[] = [];

  const network = policies.filter((p): p is NetworkLayerPolicy => p.layer === 'network').sort(byEvaluationOrder);
  for (const policy of network) {
    const subject = sets.pods(policy.subject);
    for (const index of subject) {
      for (const [direction, lists] of [
        ['ingress', ingress],
        ['egress', egress],
      ] as const) {
        const section = policy[direction];
        if (!section) continue;
        const target = lists[index]!;
        if (policy.tier === 'network') target.network.push({ policy, section });
        else target[policy.tier].push(...section.rules);
      }
    }
  }
  // Equal priorities in one tier leave the order between two policies undefined in the API.
  for (const tier of ['admin', 'baseline'] as const) {
    const tiered = network.filter((p) => p.tier === tier);
    for (let i = 1; i < tiered.length; i++) {
      const a = tiered[i - 1]!;
      const b = tiered[i]!;
      if (a.priority !== b.priority || sets.pods(a.subject).clone().and(sets.pods(b.subject)).isEmpty()) continue;
      const tied = [a, b].every((p) => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])].every((r) => r.tie));
      warnings.push(
        `${a.ref} and ${b.ref} have the same priority ${a.priority} and overlapping subjects: their order is undefined; ${tied ? 'either may apply, so cells where they disagree are unknown' : 'evaluated by name'}`,
      );
    }
  }

  const inScope = (w: Workload, namespace: string, selector: AuthzPolicy['selector']): boolean =>
    (namespace === rootNamespace || w.namespace === namespace) && (selector === null || matches(selector, w.labels));
  for (const policy of policies) {
    // AUDIT only logs the requests it matches (Envoy's shadow rules): it decides nothing.
    if (policy.layer !== 'authz' || policy.action === 'AUDIT') continue;
    const selected = cluster.workloads.filter((w) => inScope(w, policy.namespace, policy.selector));
    for (const w of selected) mesh[w.index]![policy.action === 'ALLOW' ? 'allow' : 'deny'].push(policy);
    // Manifests often leave sidecar injection to the cluster: say why such a policy changes nothing.
    if (selected.length > 0 && !selected.some((w) => w.mesh)) {
      warnings.push(
        `${policy.ref} selects only workloads without an Istio sidecar (${selected.map((w) => w.id).join(', ')}): not enforced; label the namespace istio-injection=enabled or assume a mesh`,
      );
    }
  }

  const peerAuths = policies
    .filter((p): p is PeerAuthPolicy => p.layer === 'peerauth')
    .sort((a, b) => compareText(a.ref, b.ref));
  const mtls = (w: Workload, port: number): { mode: MtlsMode; ref: string | undefined } => {
    // Most specific first: workload selector (port, then workload), namespace, mesh-wide.
    const workloadLevel = peerAuths.find(
      (p) => p.namespace === w.namespace && p.selector !== null && matches(p.selector, w.labels),
    );
    const portMode = workloadLevel?.portModes.get(port);
    if (workloadLevel && portMode && portMode !== 'UNSET') return { mode: portMode, ref: workloadLevel.ref };
    if (workloadLevel && workloadLevel.mode !== 'UNSET') return { mode: workloadLevel.mode, ref: workloadLevel.ref };
    const nsLevel = peerAuths.find((p) => p.namespace === w.namespace && p.selector === null);
    if (nsLevel && nsLevel.mode !== 'UNSET') return { mode: nsLevel.mode, ref: nsLevel.ref };
    const meshLevel = peerAuths.find((p) => p.namespace === rootNamespace && p.selector === null);
    if (meshLevel && meshLevel.mode !== 'UNSET') return { mode: meshLevel.mode, ref: meshLevel.ref };
    return { mode: 'PERMISSIVE', ref: undefined };
  };
  return { ingress, egress, mesh, mtls, warnings };
}
