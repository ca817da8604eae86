// `serve`: a synthetic target on the given ports (TCP and UDP), answering with its own identity until SIGINT or SIGTERM.

import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { identityFromEnv, startTargetServer } from '../probe/target-server.ts';
import { UsageError } from './usage-error.ts';

/** What `prober serve` was asked. */
export interface ServeRequest {
  /** Ports to listen on; 0 picks a free one. */
  readonly ports: readonly number[];
  /** Address to bind; empty or blank is refused with a UsageError. */
  readonly host: string;
  /** Name to answer with; default: `$POD_NAME` (in `io`'s environment) or the hostname. */
  readonly name?: string;
}

/**
 * Listens, says where on `io`'s stderr, and serves until SIGINT or SIGTERM; then closes and returns 0. An
 * empty or blank host throws a UsageError before anything listens.
 *
 * @example
 *   await serveTargets({ ports: [8080, 9090], host: '0.0.0.0' }, io);
 */
export async function serveTargets(request: ServeRequest, io: Io): Promise<ExitCode> {
  // Node binds an empty host to every interface: refused, since `--host "$HOST"` with HOST unset
  // asks for nothing of the kind, and guessing loopback would hide the mistake instead.
  if (request.host.trim() === '')
    throw new UsageError(
      '--host: empty; give the address to bind: 0.0.0.0 (every IPv4 address), :: (every address) or 127.0.0.1 (loopback only)',
    );
  const server = await startTargetServer(request.ports, request.host, identityFromEnv(io.env, request.name));
  io.stderr.write(`prober serve: listening on ${request.host} (TCP and UDP) port ${server.ports.join(', ')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
