// TCP probe: a completed handshake that survives a short settle window is an allow; a FIN or RST in the window is a deny.

import type { Socket } from 'node:net';
import { settleWindowMs } from '../model/duration.ts';
import type { TargetAddress } from '../model/target.ts';
import { afterPendingIo, openConnection, runAttempt } from './attempt.ts';
import { type Attempt, classifyError } from './classify.ts';
import { nowMs } from './clock.ts';

const CONNECTED: Attempt = { observed: 'allow', reason: 'connected' };

/**
 * Connects to host:port and watches the connection for `settleMs` (unset: the default window, see
 * model/duration.ts) before closing it. A mesh proxy that denies at L4 (Envoy's RBAC network filter,
 * ztunnel, HAProxy `tcp-request connection reject`) completes the handshake and then closes or resets
 * at once, so a FIN or RST with no data in the window is `deny/closed` or `deny/reset`. Data first (a
 * server that speaks first) or silence through the window is `allow/connected`, and so is silence up
 * to the probe's deadline when the connect left less than the window. The probe never sends a byte:
 * a server that closes on unexpected input must not be mistaken for a deny.
 */
export function tcpAttempt(
  address: TargetAddress,
  timeoutMs: number,
  settleMs: number | undefined,
  signal?: AbortSignal,
): Promise<Attempt> {
  const windowMs = settleWindowMs(timeoutMs, settleMs);
  // Without a window the handshake decides: no async frame, no try/finally per probe (an agent runs
  // thousands of these).
  if (windowMs <= 0)
    return runAttempt(
      timeoutMs,
      (ctx) => openConnection(ctx, address.host, address.port, address.family).then(closeConnected),
      signal,
    );
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      const socket = await openConnection(ctx, address.host, address.port, address.family);
      try {
        ctx.phase = 'exchange';
        ctx.atDeadline = () => ({
          ...CONNECTED,
          detail: `no FIN or RST before the ${timeoutMs}ms timeout ended the settle window`,
        });
        return await watchSettle(socket, windowMs);
      } finally {
        socket.destroy();
      }
    },
    signal,
  );
}

/** A handshake that completed is the outcome: the connection is closed at once. */
function closeConnected(socket: Socket): Attempt {
  socket.destroy();
  return CONNECTED;
}

/**
 * What the peer does first on a fresh connection, within `windowMs`; silence is an allow. The socket is
 * destroyed before its listeners go: nothing of this attempt stays reachable from it, and no error can
 * come unheard.
 */
async function watchSettle(socket: Socket, windowMs: number): Promise<Attempt> {
  const connectedAt = nowMs();
  const after = (): string => `${Math.round((nowMs() - connectedAt) * 10) / 10}ms`;
  let decide: (seen: Attempt | undefined) => void = () => {};
  // The first of these to call `decide` is the outcome; undefined is the window's end.
  const seen = new Promise<Attempt | undefined>((resolve) => {
    decide = resolve;
  });
  const onData = (chunk: Buffer): void =>
    decide({ ...CONNECTED, detail: `the peer spoke first (${chunk.length} bytes after ${after()})` });
  const onEnd = (): void =>
    decide({ observed: 'deny', reason: 'closed', detail: `connected, then closed after ${after()} with no data` });
  const onError = (error: Error): void => {
    const attempt = classifyError(error, 'exchange');
    decide(
      attempt.reason === 'reset'
        ? { observed: 'deny', reason: 'reset', detail: `connected, then reset after ${after()} with no data` }
        : attempt,
    );
  };
  // Destroyed here (an interrupt): the attempt already has its outcome; this only ends the wait.
  const onClose = (): void => decide(CONNECTED);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);
  const timer = setTimeout(() => afterPendingIo(() => decide(undefined)), windowMs);
  try {
    return (await seen) ?? { ...CONNECTED, detail: `no FIN or RST within the ${windowMs}ms settle window` };
  } finally {
    clearTimeout(timer);
    socket.destroy();
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('close', onClose);
  }
}
