// Zone-affinity checks through the cluster: one agent in every Ready pod of the check's source (or the
// sample, taken zone by zone), all at once up to `parallel`, each handed the AffinityPlan in its
// environment and read back from its container log (check-agents.ts: never over the network under test,
// trust rule 1). A probe pod (--agent=pod) is pinned to its source pod's node, so it sends from that
// node's zone. Where each source pod is comes from its node's zone label (`list nodes` of the
// zone-labelled nodes, once per run); what the target is, from the Service and its EndpointSlices
// (affinity-target.ts).

import type { V1Pod } from '@kubernetes/client-node';
import type { AffinityCheck } from '../model/affinity.ts';
import type { AffinityRun, AffinitySender, SourceRun } from '../model/affinity-judgement.ts';
import { affinityPlanOf, measurementIn, sampleByZone } from '../model/affinity-plan.ts';
import type { ReachabilityTest, SourceSpec } from '../model/test-spec.ts';
import { readAffinityTarget } from './affinity-target.ts';
import { type CheckAgentEnv, runCheckAgentIn } from './check-agents.ts';
import { isReady, selectorString } from './discovery.ts';
import { RUN_ID_LABEL } from './kube-api.ts';
import { type NodeZone, readNodeZones } from './node-zones.ts';

/** What the affinity sender needs beyond every check agent's environment. */
export interface AffinityEnv extends CheckAgentEnv {
  /** Agents at once, at most (--parallel). */
  readonly parallel: number;
  readonly clusterDomain: string;
}

/** How long past its requests' deadlines (32 at a time) an agent may run. */
const GRACE_MS = 10_000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `work` on every item, at most `limit` at once, results in the items' order. */
async function bounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The Ready pods of the source, prober's own probe pods left out, or why there are none. */
async function sourcePods(env: AffinityEnv, source: SourceSpec): Promise<V1Pod[] | { why: string }> {
  const namespace = source.namespace ?? env.namespace;
  const selector = selectorString(source.selector);
  const pods = (await env.api.listPods(namespace, selector)).filter((p) => !p.metadata?.labels?.[RUN_ID_LABEL]);
  const ready = pods.filter(isReady);
  if (ready.length > 0) return ready;
  const what = `${selector ? `selector ${selector}` : 'any pod'} in namespace ${namespace}`;
  return { why: pods.length === 0 ? `no pod matches ${what}` : `no Ready pod matches ${what} (${pods.length} found)` };
}

/** The sender of a test's zone-affinity checks from its cluster sources. */
export function clusterAffinitySender(
  env: AffinityEnv,
  test: ReachabilityTest,
  progress: (message: string) => void,
): AffinitySender {
  // Read once per run, when the first affinity check needs them.
  let zones: Promise<Map<string, NodeZone>> | undefined;
  return async (check, signal): Promise<AffinityRun> => {
    const source = test.sources.find((s) => s.name === check.from);
    if (!source) return { why: `no source named ${check.from}` };
    if (source.local) return { why: `the source ${check.from} is local: it has no pod, node or zone in the cluster` };
    try {
      const target = await readAffinityTarget(
        env.api,
        check.address,
        source.namespace ?? env.namespace,
        env.clusterDomain,
      );
      if ('why' in target) return target;
      const pods = await sourcePods(env, source);
      if ('why' in pods) return pods;
      zones ??= readNodeZones(env.api);
      const nodeZones = await zones;
      const zoneOf = (pod: V1Pod): string | undefined => nodeZones.get(pod.spec?.nodeName ?? '')?.zone;
      const chosen = check.sample === undefined ? pods : sampleByZone(pods, (p) => zoneOf(p) ?? '', check.sample);
      progress(`check ${check.name}: an agent in each of ${chosen.length} pods of ${source.name}`);
      const sources = await bounded(chosen, env.parallel, (pod, index) =>
        runFrom(env, check, test, source, pod, index, signal, progress),
      );
      return {
        target,
        sources: sources.map((run) => {
          const zone = zoneOf(run.podObject);
          return {
            pod: run.pod,
            node: run.podObject.spec?.nodeName ?? '?',
            ...(zone ? { zone } : {}),
            measurement: run.measurement,
          };
        }),
      };
    } catch (error) {
      // An API error (a 403 naming its permission, the server gone) decides nothing about the routing.
      return { why: messageOf(error), ...(signal.aborted ? { interrupted: true } : {}) };
    }
  };
}

/** One source pod's agent run, its measurement or why it has none. */
async function runFrom(
  env: AffinityEnv,
  check: AffinityCheck,
  test: ReachabilityTest,
  source: SourceSpec,
  pod: V1Pod,
  index: number,
  signal: AbortSignal,
  progress: (message: string) => void,
): Promise<Omit<SourceRun, 'node' | 'zone'> & { podObject: V1Pod }> {
  const name = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const failed = (why: string) => ({
    pod: name,
    podObject: pod,
    measurement: {
      sent: 0,
      identities: [],
      sequence: [],
      failures: { timeout: 0, refused: 0, error: 0 },
      ...(signal.aborted ? { interrupted: true } : { firstFailure: why }),
    },
  });
  if (signal.aborted) return failed('not started');
  const plan = { ...affinityPlanOf(check), source: source.name, check: check.name };
  let run: Awaited<ReturnType<typeof runCheckAgentIn>>;
  try {
    run = await runCheckAgentIn(
      env,
      {
        source,
        ordinal: test.checks?.indexOf(check) ?? 0,
        plan,
        runMs: Math.ceil(check.requests / plan.concurrency) * check.timeoutMs + GRACE_MS,
        weight: plan.concurrency,
      },
      pod,
      signal,
      progress,
      { pinned: true, instance: index },
    );
  } catch (error) {
    return failed(messageOf(error));
  }
  if ('error' in run) return failed(`the agent in ${run.pod ?? name} failed: ${run.error}`);
  const measurement = measurementIn(run.lines.map((line) => JSON.stringify(line)).join('\n'));
  return measurement ? { pod: name, podObject: pod, measurement } : failed(`the agent in ${run.pod} measured nothing`);
}
