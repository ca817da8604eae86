// `cleanup`: connect like kubectl, remove the probe pods runs left, list the agents that cannot be removed.

import type { AccessOptions } from '../cluster/connection.ts';
import type { InputStream } from '../model/io.ts';
import { cleanupExitCode, renderCleanupJson, renderCleanupText } from '../report/cleanup.ts';

/** What `prober cleanup` was asked. */
export interface CleanupRequest {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly access?: AccessOptions;
  /** A run id, or undefined for `--all`. */
  readonly runId: string | undefined;
  /** `-n` (repeatable), `all` for `--all-namespaces`, empty for the context's namespace. */
  readonly namespaces: readonly string[] | 'all';
  readonly dryRun: boolean;
  readonly output: 'table' | 'json';
  /** Where the report goes (stdout in the CLI). */
  readonly write: (text: string) => void;
  /** The environment kubeconfig lookup reads ($KUBECONFIG, $HOME, proxies). */
  readonly env: NodeJS.ProcessEnv;
  /** prober's stdin, for an interactive exec credential plugin. */
  readonly stdin: InputStream;
}

/**
 * Lists what runs left and deletes the probe pods (or, with `dryRun`, only lists them); prints the
 * report and returns 0, or 2 when a pod could not be deleted or a namespace could not be listed. A
 * cluster that cannot be reached, or a refused cluster-wide list, throws a ClusterError (exit 2).
 *
 * @example
 *   await runCleanup({ runId: 'a1b2c3xyz', namespaces: ['b-apacherr'], dryRun: true, output: 'table',
 *     write: (text) => io.stdout.write(text), env: io.env, stdin: io.stdin });
 */
export async function runCleanup(request: CleanupRequest): Promise<0 | 2> {
  const [{ connectTo }, { clientNodeApi }, { cleanUpLeftovers }] = await Promise.all([
    import('../cluster/connection.ts'),
    import('../cluster/client-node-api.ts'),
    import('../cluster/leftovers.ts'),
  ]);
  const connection = connectTo(request, request.env, request.stdin);
  const namespaces =
    request.namespaces === 'all' || request.namespaces.length > 0 ? request.namespaces : [connection.namespace];
  const found = await cleanUpLeftovers(clientNodeApi(connection), {
    runId: request.runId,
    namespaces,
    dryRun: request.dryRun,
  });
  const outcome = {
    cluster: connection.description,
    runId: request.runId,
    namespaces,
    dryRun: request.dryRun,
    ...found,
  };
  request.write(request.output === 'json' ? renderCleanupJson(outcome) : renderCleanupText(outcome));
  return cleanupExitCode(outcome);
}
