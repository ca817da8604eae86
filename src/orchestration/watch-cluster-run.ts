// One run of a ReachabilityTest resource for `prober watch --cluster`: the resource's spec read as a test
// file is (the same schema and checks), its sources probed through the cluster backend with resident
// agents (one idle container per source pod lifetime, each run's plan exec'd into it: never an
// ephemeral container per run), the policy model read from the cluster when the test asks for it, and
// the matrix judged. A test the watch cannot run (checks) is refused with a ConfigError, per resource.

import { PUBLISHED_PLATFORMS } from '../cluster/agent-platform.ts';
import { ClusterBackend, newRunId } from '../cluster/cluster-backend.ts';
import type { KubeApi } from '../cluster/kube-api.ts';
import { livePolicyModel } from '../cluster/live-policies.ts';
import type { TestResource } from '../cluster/test-resources.ts';
import { ConfigError } from '../config/config-error.ts';
import { parseReachabilityTest } from '../config/load-test.ts';
import type { InputIo } from '../model/io.ts';
import { assembleMatrix, type Cell } from '../model/matrix.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { KindFilter } from '../policy/index.ts';
import { refuseChecks } from './rate-checks.ts';
import { effectiveDefaults, type RunFlags } from './run-flags.ts';

/** What every run of the watch shares: the API, the agents' image, the run flags. */
export interface ClusterRunEnv {
  readonly api: KubeApi;
  /** The agents' image: the controller's own (or --image); resident agents of another image are not exec'd into. */
  readonly image: string;
  /** True when the image is prober's published one (or the pod's own), which holds a linux/amd64 binary. */
  readonly publishedImage: boolean;
  readonly flags: RunFlags;
  readonly parallel: number;
  readonly agentTimeoutMs?: number;
  readonly clusterDomain: string;
  readonly context: string;
  readonly ignoreKinds: readonly KindFilter[];
  readonly warn: (message: string) => void;
  readonly io: InputIo;
}

/** A run's judged matrix and how many sources could not probe. */
export interface ClusterRunResult {
  readonly cells: readonly Cell[];
  readonly sourceErrors: number;
}

/** Where a resource's errors point: `ReachabilityTest NAMESPACE/NAME`, as kubectl names it. */
const resourceOrigin = (resource: TestResource): string =>
  `ReachabilityTest ${resource.metadata.namespace}/${resource.metadata.name}`;

/**
 * The resource as a test: its spec checked as a test file's. Errors name the field, not a line (the
 * resource's text is the API server's, not what was written). Checks are refused: each would load its
 * target (a rate limiter) for seconds every interval.
 */
function resourceTest(resource: TestResource): ReachabilityTest {
  const origin = resourceOrigin(resource);
  const document = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: resource.metadata.name },
    spec: resource.spec,
  };
  try {
    const test = parseReachabilityTest(origin, JSON.stringify(document, null, 1));
    refuseChecks(test, 'prober watch');
    return test;
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(origin, undefined, error.field, error.message);
    throw error;
  }
}

/** Runs one resource: sources without a namespace are the resource's namespace's. */
export async function runResource(
  env: ClusterRunEnv,
  resource: TestResource,
  signal: AbortSignal,
): Promise<ClusterRunResult> {
  const test = resourceTest(resource);
  const namespace = resource.metadata.namespace;
  const model =
    test.expectFromPolicies || test.fromPolicies
      ? await livePolicyModel(env.api, test, namespace, env.warn, env.io, env.ignoreKinds)
      : undefined;
  const backend = new ClusterBackend(env.api, {
    runId: newRunId(),
    image: env.image,
    agent: 'resident',
    // A dead resident agent makes the source an error at each run, never one more container per run.
    oneShotFallback: false,
    ...(env.publishedImage ? { imagePlatforms: PUBLISHED_PLATFORMS } : {}),
    parallel: env.parallel,
    ...(env.agentTimeoutMs !== undefined ? { agentTimeoutMs: env.agentTimeoutMs } : {}),
    defaults: effectiveDefaults(test, env.flags),
    namespace,
    context: env.context,
    clusterDomain: env.clusterDomain,
    warn: env.warn,
  });
  const { observations } = await backend.observe(test, { signal });
  if (signal.aborted) throw new Error('stopped during the run');
  return {
    cells: assembleMatrix({ test, observations, ...(model ? { model } : {}) }),
    sourceErrors: observations.sourceErrors.size,
  };
}
