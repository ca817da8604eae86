// Expectations from policies in cluster mode: the live cluster's topology (and, unless the test names
// policy files, its live policy objects) read through KubeApi and evaluated by the policy engine.

import { loadManifests } from '../config/load-manifests.ts';
import type { InputIo } from '../model/io.ts';
import type { ModelVerdict } from '../model/matrix.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import {
  buildModel,
  type KindFilter,
  kindDescriptor,
  leftOutWarnings,
  modelVerdicts,
  POLICY_KIND_NAMES,
  type PolicyInput,
  type PolicyKind,
  predictTest,
  usesNodePeers,
} from '../policy/index.ts';
import type { KubeApi, RawObject } from './kube-api.ts';
import { clusterInputFromLive, type LiveObjects } from './live-model.ts';

/** Policy model verdicts by source then target, as `assembleMatrix` takes them. */
export type PolicyModel = ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;

/**
 * The policy resources the cluster serves, by discovery (`group/resource`). Only a kind discovery does
 * not list has no objects: a 404 on a served kind, or a 403 (the API server authorizes before it
 * routes, so a 403 says nothing about whether the kind exists), is an error.
 */
async function servedPolicyResources(api: KubeApi): Promise<Set<string>> {
  const groups = new Set<string>(POLICY_KIND_NAMES.map((kind) => kindDescriptor(kind).group));
  const served = new Set<string>();
  for (const { group, versions } of await api.listApiGroups()) {
    if (!groups.has(group)) continue;
    for (const version of versions)
      for (const r of await api.listApiResources(group, version)) served.add(`${group}/${r.resource}`);
  }
  return served;
}

/**
 * Lists what the policy model needs from the live cluster: namespaces, pods and Services always;
 * the policy objects of every kind the engine evaluates when `withPolicies` is true.
 */
export async function listLiveObjects(api: KubeApi, withPolicies: boolean): Promise<LiveObjects> {
  const served = withPolicies ? await servedPolicyResources(api) : new Set<string>();
  // A built-in kind (NetworkPolicy) is always listed: every cluster serves it, so a 404 is an error.
  const listed = (kind: PolicyKind): boolean => {
    const { builtIn, group, plural } = kindDescriptor(kind);
    return builtIn || served.has(`${group}/${plural}`);
  };
  const policyLists = withPolicies
    ? POLICY_KIND_NAMES.map((kind) => (listed(kind) ? api.listPolicies(kind) : Promise.resolve([])))
    : [];
  const [namespaces, pods, services, ...policies] = await Promise.all([
    api.listNamespaces(),
    api.listAllPods(),
    api.listAllServices(),
    ...policyLists,
  ]);
  return { namespaces, pods, services, policies: (policies as RawObject[][]).flat() };
}

/**
 * The policy model's verdict for every cell of a test, computed from the live cluster. The test's
 * `fromPolicies.policies` files, when given, are the policies (e.g. ones about to be applied);
 * otherwise the cluster's own policy objects are. Throws a one-line error when an object cannot be
 * read or a policy uses what the engine does not support.
 */
export async function livePolicyModel(
  api: KubeApi,
  test: ReachabilityTest,
  defaultNamespace: string,
  warn: (message: string) => void,
  io: InputIo,
  ignoreKinds: readonly KindFilter[] = [],
): Promise<PolicyModel> {
  const files = test.fromPolicies?.policies ?? [];
  let filePolicies: readonly PolicyInput[] = [];
  if (files.length > 0) {
    const loaded = await loadManifests(files, io, { ignoreKinds });
    filePolicies = loaded.cluster.policies;
    for (const line of leftOutWarnings(loaded.leftOut)) warn(line);
  }
  let live: LiveObjects;
  try {
    live = await listLiveObjects(api, files.length === 0);
    // Nodes only when a policy selects them (ClusterNetworkPolicy `nodes` peers): most runs need no `list nodes`.
    const manifests = [...live.policies, ...filePolicies.map((p) => p.manifest as Record<string, unknown>)];
    if (manifests.some((m) => m !== null && typeof m === 'object' && usesNodePeers(m)))
      live = { ...live, nodes: await api.listNodes() };
  } catch (error) {
    throw new Error(`unable to read the cluster for the policy model: ${(error as Error).message}`, { cause: error });
  }
  const { input, warnings } = clusterInputFromLive(live, filePolicies);
  const model = buildModel(input);
  for (const warning of [...warnings, ...model.warnings]) warn(`policy model: ${warning}`);
  // Sources without a namespace are looked up where `prober run` will look for them.
  const placed = {
    ...test,
    sources: test.sources.map((s) => (s.local || s.namespace ? s : { ...s, namespace: defaultNamespace })),
  };
  const predictions = predictTest(model, placed, { evidence: true });
  const verdicts = modelVerdicts(predictions);
  if (test.expectFromPolicies && [...verdicts.values()].every((row) => row.size === 0)) {
    const first = [...predictions.values()].flatMap((row) => [...row.values()]).find((p) => p.kind === 'unknown');
    throw new Error(
      `the policy model cannot decide any cell of this test (${first?.kind === 'unknown' ? first.detail : 'no cell'}), so \`expect: fromPolicies\` checks nothing`,
    );
  }
  return verdicts;
}
