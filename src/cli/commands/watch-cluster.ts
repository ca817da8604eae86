// `prober watch --cluster`: the flags of the in-cluster controller checked against the lab watch's, and
// the controller started (orchestration/watch-cluster.ts). A lab flag with --cluster is a usage error:
// in a cluster the resources say what to run and what to expect.

import { defaultImage } from '../../cluster/agent-spec.ts';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import type { RunFlags } from '../../orchestration/run-flags.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { PROBER_VERSION } from '../../orchestration/version.ts';
import type { ListenAddress } from '../../orchestration/watch-server.ts';

/** The parsed options `watch --cluster` reads. */
interface ClusterWatchFlags {
  readonly file?: string[] | undefined;
  readonly expect?: string | undefined;
  readonly interval: number;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  readonly image?: string | undefined;
  readonly parallel: number;
  readonly agentTimeout?: number | undefined;
  readonly clusterDomain: string;
}

/**
 * Refuses the lab's flags (-f, --lab, --expect) next to --cluster, then runs the controller until
 * SIGTERM or SIGINT. `labSource` is where --lab's value came from (`default` when not given).
 */
export async function watchCluster(
  opts: ClusterWatchFlags,
  labSource: string | undefined,
  flags: RunFlags,
  listen: ListenAddress,
  io: Io,
): Promise<ExitCode> {
  const labFlag = opts.file?.length ? '-f' : labSource === 'cli' ? '--lab' : opts.expect ? '--expect' : undefined;
  if (labFlag)
    throw new UsageError(
      `prober watch: ${labFlag} is for the lab; with --cluster the ReachabilityTest resources say what to run and expect`,
    );
  const { runClusterWatch } = await import('../../orchestration/watch-cluster.ts');
  return runClusterWatch(
    {
      ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context !== undefined ? { context: opts.context } : {}),
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      intervalMs: opts.interval,
      listen,
      flags,
      ...(opts.image !== undefined ? { image: opts.image } : {}),
      fallbackImage: defaultImage(PROBER_VERSION),
      parallel: opts.parallel,
      ...(opts.agentTimeout !== undefined ? { agentTimeoutMs: opts.agentTimeout } : {}),
      clusterDomain: opts.clusterDomain,
      ignoreKinds: [],
    },
    io,
  );
}
