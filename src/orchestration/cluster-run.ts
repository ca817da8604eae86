// `run`: a ReachabilityTest in a Kubernetes cluster — connect, place agents in the real workloads, judge, report.

import { PUBLISHED_PLATFORMS } from '../cluster/agent-platform.ts';
import type { AgentMode } from '../cluster/agents.ts';
import type { AffinityEnv } from '../cluster/cluster-affinity.ts';
import type { AccessOptions, Connection } from '../cluster/connection.ts';
import type { KubeApi } from '../cluster/kube-api.ts';
import type { AgentResources } from '../cluster/probe-pod-resources.ts';
import { loadReachabilityTest } from '../config/load-test.ts';
import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { KindFilter } from '../policy/index.ts';
import { runChecks } from './checks.ts';
import { interruption } from './interrupts.ts';
import { observeAndReport, type ReportExtras } from './observe-and-report.ts';
import { warnOn } from './policy-model.ts';
import { phaseByPhase, sendFromHere } from './rate-checks.ts';
import { effectiveDefaults, type RunFlags } from './run-flags.ts';

/** What `prober run` was asked. */
export interface ClusterRunRequest {
  /** The test file; `-` reads stdin (what `kubectl run -i` can pass in). */
  readonly file: string;
  readonly flags: RunFlags;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** `--as`, `--as-group`, `--request-timeout`. */
  readonly access?: AccessOptions;
  /** Namespace of sources that name none; default: the context's. */
  readonly namespace?: string;
  readonly agent: AgentMode;
  /** The probe pod agent's requests and limits (--agent-cpu, --agent-memory); unset: fitted to LimitRanges. */
  readonly agentResources?: Partial<AgentResources>;
  /** The agents' image as given; undefined: prober's own image in a pod, else `fallbackImage`. */
  readonly image?: string;
  /** The published image of this version, used when no image was given and none can be read. */
  readonly fallbackImage: string;
  readonly parallel: number;
  readonly agentTimeoutMs?: number;
  readonly clusterDomain: string;
  readonly ignoreKinds: readonly KindFilter[];
}

/** In a pod, the agents use prober's own image unless --image says otherwise; elsewhere the published one. */
export async function agentImage(
  api: KubeApi,
  connection: Connection,
  fallback: string,
  io: Io,
  warn: (message: string) => void,
): Promise<string> {
  const { ownImage } = await import('../cluster/own-image.ts');
  try {
    return (await ownImage(api, connection, io.env)) ?? fallback;
  } catch (error) {
    warn(
      `agents use ${fallback}: unable to read this pod's own image (${error instanceof Error ? error.message : String(error)})`,
    );
    return fallback;
  }
}

/**
 * Loads the test, connects (service account, else kubeconfig), builds the policy model when the test
 * asks for it, runs the agents, prints the report on `io` and returns the exit code. A cluster that cannot be
 * reached throws a ClusterError with a one-line message.
 *
 * @example
 *   await runInCluster({ file: 'lab.yaml', flags, agent: 'ephemeral', fallbackImage, parallel: 8,
 *     clusterDomain: 'cluster.local', ignoreKinds: [] }, io);
 */
export async function runInCluster(request: ClusterRunRequest, io: Io): Promise<ExitCode> {
  // Warnings carry text from the API server and from manifests: escaped like every human-facing line.
  const warn = warnOn(io);
  const test = await loadReachabilityTest(request.file, io);
  const { flags } = request;
  // Loaded on use: client-node alone takes about a second to load, which a bad test file need not wait for.
  const [{ connectTo }, { clientNodeApi }, { ClusterBackend, newRunId }, { livePolicyModel }] = await Promise.all([
    import('../cluster/connection.ts'),
    import('../cluster/client-node-api.ts'),
    import('../cluster/cluster-backend.ts'),
    import('../cluster/live-policies.ts'),
  ]);
  const connection = connectTo(request, io.env, io.stdin);
  // Server errors retried are worth a line in CI logs; an unreachable server ends in one line anyway.
  const api = clientNodeApi(connection, {
    onRetry: (error, _attempt, message) => {
      io.log.log(2, message);
      if (error.code !== undefined) warn(message);
    },
    signal: interruption,
    // No API call retries for longer than an agent may take.
    ...(request.agentTimeoutMs !== undefined ? { callBudgetMs: request.agentTimeoutMs } : {}),
  });
  const namespace = request.namespace ?? connection.namespace;
  io.log.log(1, 'cluster', { cluster: connection.description, namespace });
  const model =
    test.expectFromPolicies || test.fromPolicies
      ? await livePolicyModel(api, test, namespace, warn, io, request.ignoreKinds)
      : undefined;
  const image = request.image ?? (await agentImage(api, connection, request.fallbackImage, io, warn));
  io.log.log(1, 'agents', { image, agent: request.agent, parallel: request.parallel });
  const runId = newRunId();
  const backend = new ClusterBackend(api, {
    runId,
    image,
    agent: request.agent,
    ...(request.agentResources ? { agentResources: request.agentResources } : {}),
    // prober's own image (published, or the pod's) holds a linux/amd64 binary; one given with --image may hold more.
    ...(request.image === undefined ? { imagePlatforms: PUBLISHED_PLATFORMS } : {}),
    parallel: request.parallel,
    ...(request.agentTimeoutMs !== undefined ? { agentTimeoutMs: request.agentTimeoutMs } : {}),
    defaults: effectiveDefaults(test, flags),
    namespace,
    context: connection.description,
    clusterDomain: request.clusterDomain,
    warn,
  });
  const checks = test.checks?.length
    ? await clusterChecks(test, {
        api,
        runId,
        image,
        agent: request.agent,
        namespace,
        parallel: request.parallel,
        clusterDomain: request.clusterDomain,
        ...(request.agentTimeoutMs !== undefined ? { agentTimeoutMs: request.agentTimeoutMs } : {}),
        ...(request.image === undefined ? { imagePlatforms: PUBLISHED_PLATFORMS } : {}),
        ...(request.agentResources ? { agentResources: request.agentResources } : {}),
        warn,
      })
    : undefined;
  return observeAndReport(test, backend, flags, io, { ...(model ? { model } : {}), ...(checks ? { checks } : {}) });
}

/**
 * How `run` sends a test's checks once the matrix is observed: a rate-limit check from a pod of its
 * source, one agent per check (cluster/cluster-rates.ts), or from here for a `local` source; a
 * zone-affinity check from every pod of its source, or its sample (cluster/cluster-affinity.ts). The
 * probe pods they need are deleted when the checks end, interrupted or not.
 */
async function clusterChecks(
  test: ReachabilityTest,
  env: Omit<AffinityEnv, 'tracker'>,
): Promise<NonNullable<ReportExtras['checks']>> {
  const [{ clusterCheckSender }, { clusterAffinitySender }, { ProbePodTracker }] = await Promise.all([
    import('../cluster/cluster-rates.ts'),
    import('../cluster/cluster-affinity.ts'),
    import('../cluster/cleanup.ts'),
  ]);
  return async (signal, progress) => {
    const tracker = new ProbePodTracker(env.api, env.runId);
    const inCluster = clusterCheckSender({ ...env, tracker }, test);
    const fromHere = phaseByPhase(sendFromHere);
    const local = new Set(test.sources.filter((s) => s.local).map((s) => s.name));
    try {
      return await runChecks(test, signal, progress, {
        rateLimit: (check, s, p) => (local.has(check.from) ? fromHere(check, s, p) : inCluster(check, s, p)),
        affinity: clusterAffinitySender({ ...env, tracker }, test, progress),
      });
    } finally {
      for (const problem of await tracker.deleteAll()) env.warn?.(problem);
    }
  };
}
