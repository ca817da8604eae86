// `prober serve`: a synthetic target that answers HTTP and Redis PING with its own identity.

import type { Command } from 'commander';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../usage-error.ts';

function parsePorts(value: string): number[] {
  const ports = value.split(',').map((part) => part.trim());
  return ports.map((text) => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port: "${text}" is not a port (0-65535; 0 picks a free one)`);
    return port;
  });
}

/** Registers `serve`. */
export function registerServe(program: Command, finish: (code: ExitCode) => void): void {
  program
    .command('serve')
    .summary('serve a synthetic target on TCP/HTTP ports that answers with its own identity')
    .description(
      'Listens on each port. HTTP requests get a JSON identity (name, hostname, namespace, pod IP, the ' +
        "client's address); GET /status/NNN answers with status NNN; Redis PING gets +PONG; plain TCP " +
        'connections are accepted. Runs until SIGINT or SIGTERM.',
    )
    .requiredOption('-p, --port <ports>', 'comma-separated ports, e.g. 8080,8443 (0 = any free port)', parsePorts)
    .option('--host <address>', 'address to bind', '0.0.0.0')
    .option('--name <name>', 'name to answer with (default: $POD_NAME or the hostname)')
    .addHelpText(
      'after',
      `
Examples:
  prober serve --port 8080,9090
  curl -s localhost:8080/status/403      # answers 403, as an L7 deny would
  prober probe redis://127.0.0.1:9090     # +PONG`,
    )
    .action(async (opts: { port: number[]; host: string; name?: string }) => {
      const { identityFromEnv, startTargetServer } = await import('../../probe/target-server.ts');
      const server = await startTargetServer(opts.port, opts.host, identityFromEnv(opts.name));
      process.stderr.write(`prober serve: listening on ${opts.host} port ${server.ports.join(', ')}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      finish(0);
    });
}
