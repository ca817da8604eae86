// `prober watch --cluster`: the in-cluster controller. An informer of ReachabilityTests (one namespace
// or all) feeds the WatchController (watch-controller.ts), which runs each resource on its interval
// through the cluster backend with resident agents (watch-cluster-run.ts), writes its status and an
// Event per flip; the lab watch's metrics and live page (test = `namespace/name`) and /healthz are
// served on --listen. SIGTERM or SIGINT stops it within a second, with exit 0.

import type { AccessOptions } from '../cluster/connection.ts';
import { urlHost } from '../model/family.ts';
import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { settleWithin } from '../model/wait.ts';
import type { KindFilter } from '../policy/index.ts';
import { onStopSignals } from './interrupts.ts';
import { warnOn } from './policy-model.ts';
import type { RunFlags } from './run-flags.ts';
import { type ClusterRunEnv, type ClusterRunResult, runResource } from './watch-cluster-run.ts';
import { type ControllerSinks, WatchController } from './watch-controller.ts';
import { WatchMetrics } from './watch-metrics.ts';
import { recordRunReport } from './watch-record.ts';
import { type ListenAddress, startMetricsServer } from './watch-server.ts';
import { WatchState } from './watch-state.ts';

/** What `prober watch --cluster` was asked. */
export interface ClusterWatchOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly access?: AccessOptions;
  /** Watch the ReachabilityTests of this namespace only; undefined: of every namespace. */
  readonly namespace?: string;
  /** The interval of a resource without a `prober.dev/interval` annotation. */
  readonly intervalMs: number;
  readonly listen: ListenAddress;
  readonly flags: RunFlags;
  /** The agents' image as given; undefined: this pod's own image, else `fallbackImage`. */
  readonly image?: string;
  readonly fallbackImage: string;
  readonly parallel: number;
  readonly agentTimeoutMs?: number;
  readonly clusterDomain: string;
  readonly ignoreKinds: readonly KindFilter[];
}

/** How long a stop waits for runs in flight (their agents' execs are aborted at once): the stop stays within a second. */
const STOP_GRACE_MS = 700;

/** Runs the controller until SIGTERM or SIGINT, then returns 0; a cluster that cannot be reached throws first. */
export async function runClusterWatch(options: ClusterWatchOptions, io: Io): Promise<ExitCode> {
  const warn = warnOn(io);
  const [{ connectTo }, { clientNodeApi }, { testInformer, testResourceApi }, { agentImage }] = await Promise.all([
    import('../cluster/connection.ts'),
    import('../cluster/client-node-api.ts'),
    import('../cluster/test-resources.ts'),
    import('./cluster-run.ts'),
  ]);
  const connection = connectTo(options, io.env, io.stdin);
  const stop = new AbortController();
  const api = clientNodeApi(connection, {
    onRetry: (_error, _attempt, message) => io.log.log(2, message),
    signal: stop.signal,
    ...(options.agentTimeoutMs !== undefined ? { callBudgetMs: options.agentTimeoutMs } : {}),
  });
  const image = options.image ?? (await agentImage(api, connection, options.fallbackImage, io, warn));
  const env: ClusterRunEnv = {
    api,
    image,
    publishedImage: options.image === undefined,
    flags: options.flags,
    parallel: options.parallel,
    ...(options.agentTimeoutMs !== undefined ? { agentTimeoutMs: options.agentTimeoutMs } : {}),
    clusterDomain: options.clusterDomain,
    context: connection.description,
    ignoreKinds: options.ignoreKinds,
    warn,
    io,
  };
  const metrics = new WatchMetrics([]);
  const page = new WatchState([], options.intervalMs);
  const sourceErrors = new Map<string, number>();
  const sinks: ControllerSinks = {
    run: (key, report) => {
      // Taken, not read: the count belongs to the run that set it (a run of a resource deleted meanwhile
      // leaves at most its own entry, overwritten by the next run of that name).
      const errors = sourceErrors.get(key) ?? 0;
      sourceErrors.delete(key);
      recordRunReport({ metrics, page, io }, key, report, errors);
    },
    overrun: () => metrics.recordOverrun(),
    deleted: (key) => {
      metrics.removeTest(key);
      page.removeTest(key);
      sourceErrors.delete(key);
      io.log.log(1, 'resource deleted; its schedule and series removed', { test: key });
    },
    apiError: () => metrics.recordError('api'),
  };
  const controller = new WatchController({
    informer: testInformer(connection.kubeConfig, options.namespace),
    api: testResourceApi(connection.kubeConfig),
    run: async (resource, signal) => {
      const key = `${resource.metadata.namespace}/${resource.metadata.name}`;
      metrics.addTest(key);
      page.addTest(key);
      const result: ClusterRunResult = await runResource(env, resource, signal);
      sourceErrors.set(key, result.sourceErrors);
      return result.cells;
    },
    defaultIntervalMs: options.intervalMs,
    instance: io.env.POD_NAME ?? io.env.HOSTNAME ?? 'prober-watch',
    log: (message, fields) => io.log.log(1, message, fields as Record<string, string | number | boolean>),
    sinks,
  });
  const removeHandlers = onStopSignals(io.stderr, (signal) => stop.abort(new Error(`stopped by ${signal}`)));
  try {
    const server = await startMetricsServer(options.listen, {
      metrics: () => metrics.exposition(),
      healthy: () => !stop.signal.aborted,
      state: () => page.snapshot(io.now()),
    });
    const url = `http://${urlHost(server.address.host)}:${server.address.port}`;
    io.stderr.write(
      `prober watch: ReachabilityTests in ${options.namespace ? `namespace ${options.namespace}` : 'every namespace'} of ${connection.description}; page on ${url}/, metrics on ${url}/metrics\n`,
    );
    await controller.start();
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const wound = await settleWithin(controller.stop(), STOP_GRACE_MS);
    if (!wound) io.log.log(1, 'runs abandoned', { reason: 'still winding down at the stop deadline' });
    await server.close();
    io.log.log(1, 'stopped');
    return 0;
  } finally {
    removeHandlers();
  }
}
