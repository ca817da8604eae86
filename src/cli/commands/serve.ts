// `prober serve`: a synthetic target that answers HTTP, Redis PING and UDP datagrams with its own identity.

import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { SERVE_LIMITS } from '../../probe/serve-limits.ts';

function parsePorts(value: string): number[] {
  const ports = value.split(',').map((part) => part.trim());
  return ports.map((text) => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535)
      throw new UsageError(`--port: "${text}" is not a port (0-65535; 0 picks a free one)`);
    return port;
  });
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** Registers `serve`. */
export function registerServe(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  program
    .command('serve')
    .summary('serve a synthetic target on TCP/HTTP and UDP ports that answers with its own identity')
    .description(
      'Listens on each port. HTTP requests get a JSON identity (name, hostname, namespace, pod IP, node, the ' +
        "client's address) and the name in an x-pod-name header; GET /status/NNN answers with status NNN; Redis PING gets +PONG; plain TCP " +
        'connections are accepted. The same port numbers answer UDP: each datagram gets the identity as JSON, ' +
        'never longer than the datagram itself (the name alone, or an empty datagram, when it does not fit), ' +
        'so a spoofed request cannot be amplified; the 512-byte datagram a udp:// probe sends by default has ' +
        'room for all of it. Runs until SIGINT or SIGTERM.\n\n' +
        'A 1xx is never a final answer: /status/102 and /status/103 send that interim response and then ' +
        'a final 200; /status/100 gets 200 (100 Continue goes out only to a request that sends "Expect: ' +
        '100-continue"); /status/101 (it would switch protocols), other 1xx and numbers outside 100-599 ' +
        'get 400. Each substitute answer carries a note saying why.\n\n' +
        `Limits: request headers must be complete within ${seconds(SERVE_LIMITS.headersTimeoutMs)} (else 408 and ` +
        `close), a request body within ${seconds(SERVE_LIMITS.requestTimeoutMs)} of its headers; a kept-alive ` +
        `connection is closed after ${seconds(SERVE_LIMITS.keepAliveTimeoutMs)} without a request. A connection ` +
        `that sends nothing, a Redis client between commands and any quiet connection are held for ` +
        `${seconds(SERVE_LIMITS.idleTimeoutMs)} (long enough that a TCP probe never sees its connection closed), then closed with a FIN.`,
    )
    .requiredOption('-p, --port <ports>', 'comma-separated ports, e.g. 8080,8443 (0 = any free port)', parsePorts)
    .option(
      '--host <address>',
      'address to bind: 0.0.0.0 (every IPv4 address, the default), :: or 127.0.0.1; never empty',
      '0.0.0.0',
    )
    .option('--name <name>', 'name to answer with (default: $POD_NAME or the hostname)')
    .addHelpText(
      'after',
      `
Examples:
  prober serve --port 8080,9090
  curl -s localhost:8080/status/403      # answers 403, as an L7 deny would
  prober probe redis://127.0.0.1:9090     # +PONG
  prober probe udp://127.0.0.1:8080       # allow replied, with the identity`,
    )
    .action(async (opts) => {
      const { serveTargets } = await import('../../orchestration/serve.ts');
      finish(
        await serveTargets(
          {
            ports: opts.port,
            host: opts.host,
            ...(opts.name !== undefined ? { name: opts.name } : {}),
          },
          io,
        ),
      );
    });
}
