// The live policy objects a cluster holds, read through KubeApi: the seam where the policy engine plugs into `prober run`.

import type { V1Namespace, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import type { ModelVerdict } from '../model/matrix.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { KubeApi } from './kube-api.ts';

/** Everything the policy model needs from a live cluster: policies, and the pods and namespaces they select. */
export interface LivePolicyInput {
  readonly namespaces: readonly V1Namespace[];
  readonly pods: readonly V1Pod[];
  readonly networkPolicies: readonly V1NetworkPolicy[];
}

/** Policy model verdicts by source then target, as `assembleMatrix` takes them. */
export type PolicyModel = ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;

/**
 * Lists the live objects the policy model evaluates. AdminNetworkPolicy, Cilium and Istio kinds are
 * not read yet: they need their API groups (and RBAC rules) added to KubeApi first.
 */
export async function listLivePolicyInput(api: KubeApi): Promise<LivePolicyInput> {
  const [namespaces, pods, networkPolicies] = await Promise.all([api.listNamespaces(), api.listAllPods(), api.listNetworkPolicies()]);
  return { namespaces, pods, networkPolicies };
}

/** Computes the policy model of a test from live objects. Replaced when the policy engine is wired in. */
export type LivePolicyEvaluator = (test: ReachabilityTest, input: LivePolicyInput) => PolicyModel;

/** The evaluator `prober run` uses; none is available in this build yet. */
export let evaluateLivePolicies: LivePolicyEvaluator | undefined;

/** Installs the evaluator (the policy engine calls this once it exists). */
export function useLivePolicyEvaluator(evaluator: LivePolicyEvaluator): void {
  evaluateLivePolicies = evaluator;
}

/**
 * The policy model for a test whose expectations come from policies, computed from the live cluster.
 * Throws a one-line error when no evaluator is installed.
 */
export async function livePolicyModel(api: KubeApi, test: ReachabilityTest): Promise<PolicyModel> {
  const evaluator = evaluateLivePolicies;
  if (!evaluator) {
    throw new Error('expectations from live policies (expect: fromPolicies / a fromPolicies block) need the policy engine, which this build of `prober run` does not include yet');
  }
  return evaluator(test, await listLivePolicyInput(api));
}
