// TCP probe: a completed handshake is an allow. Behind a sidecar this can lie; protocol probes tell the truth.

import type { TargetAddress } from '../model/target.ts';
import { openConnection, runAttempt } from './attempt.ts';
import type { Attempt } from './classify.ts';

/** Connects to host:port and closes again. */
export function tcpAttempt(address: TargetAddress, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      const socket = await openConnection(ctx, address.host, address.port, address.family);
      socket.destroy();
      return { observed: 'allow', reason: 'connected' };
    },
    signal,
  );
}
