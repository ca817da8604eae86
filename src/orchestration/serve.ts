// `serve`: a synthetic target on the given ports (TCP and UDP), answering with its own identity until SIGINT or SIGTERM.

import type { ExitCode } from '../model/report.ts';
import { identityFromEnv, startTargetServer } from '../probe/target-server.ts';

/** What `prober serve` was asked. */
export interface ServeRequest {
  /** Ports to listen on; 0 picks a free one. */
  readonly ports: readonly number[];
  /** Address to bind. */
  readonly host: string;
  /** Name to answer with; default: `$POD_NAME` or the hostname. */
  readonly name?: string;
}

/**
 * Listens, says where on stderr, and serves until SIGINT or SIGTERM; then closes and returns 0.
 *
 * @example
 *   await serveTargets({ ports: [8080, 9090], host: '0.0.0.0' });
 */
export async function serveTargets(request: ServeRequest): Promise<ExitCode> {
  const server = await startTargetServer(request.ports, request.host, identityFromEnv(request.name));
  process.stderr.write(`prober serve: listening on ${request.host} (TCP and UDP) port ${server.ports.join(', ')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
