// Redis probe: PING must come back as +PONG; any Redis error reply still proves the server answered.

import type { TargetAddress } from '../model/target.ts';
import { openConnection, readFirstLine, runAttempt } from './attempt.ts';
import type { Attempt } from './classify.ts';

/** Sends PING and classifies the first reply line. */
export function redisAttempt(address: TargetAddress, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      const socket = await openConnection(ctx, address.host, address.port, address.family);
      ctx.phase = 'exchange';
      try {
        const reply = readFirstLine(socket);
        socket.write('*1\r\n$4\r\nPING\r\n');
        const line = await reply;
        if (line === null)
          return { observed: 'deny', reason: 'closed', detail: 'connected, then closed without a reply' };
        if (line === '+PONG') return { observed: 'allow', reason: 'pong' };
        // -NOAUTH, -ERR, -DENIED (protected mode): a Redis server answered, so the network allowed it.
        if (line.startsWith('-')) return { observed: 'allow', reason: 'redis-error', detail: line.slice(1, 200) };
        return {
          observed: 'error',
          reason: 'protocol',
          detail: `not a Redis reply: ${JSON.stringify(line.slice(0, 80))}`,
        };
      } finally {
        socket.destroy();
      }
    },
    signal,
  );
}
