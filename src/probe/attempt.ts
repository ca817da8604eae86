// One attempt under one deadline: tracks the phase it is in so a timeout or an error is classified right.

import { connect, isIP, type Socket } from 'node:net';
import { type IpFamily, urlHost } from '../model/family.ts';
import { whenAborted } from './abort-list.ts';
import { type Attempt, classifyError, NoRouteFromHere, timedOut } from './classify.ts';
import { resolveCandidates } from './resolve.ts';

type Phase = 'resolve' | 'connect' | 'exchange';

/** What an attempt body can use: the phase it is in and a way to release resources on timeout. */
export interface AttemptContext {
  phase: Phase;
  /** Registers cleanup that runs when the deadline passes (destroy sockets, abort requests). */
  onTimeout(cleanup: () => void): void;
  /** The peer address once resolved, for the detail line. */
  peer?: string;
  /**
   * What the attempt amounts to if the deadline passes now, when the peer already said more than
   * nothing (an HTTP status line arrived, a TLS handshake began); unset or undefined, it is a timeout.
   */
  atDeadline?: (() => Attempt | undefined) | undefined;
}

/** The attempt for a run interrupted (SIGINT/SIGTERM) while this attempt was in `phase`: an error, never a deny. */
function interruptedIn(phase: Phase): Attempt {
  const what = phase === 'resolve' ? 'resolving the name' : phase === 'connect' ? 'connecting' : 'waiting for a reply';
  return { observed: 'error', reason: 'interrupted', detail: `interrupted while ${what}` };
}

/**
 * Runs `body` under a deadline of `timeoutMs`. Never rejects: a thrown error is classified by the
 * phase it happened in, and a passed deadline becomes what `ctx.atDeadline` says, else a timeout (deny)
 * or, while resolving, a DNS error. When `signal` aborts first, the attempt's sockets are destroyed at
 * once and it ends as `error/interrupted`; an attempt that already ended keeps its outcome.
 */
export function runAttempt(
  timeoutMs: number,
  body: (ctx: AttemptContext) => Promise<Attempt>,
  signal?: AbortSignal,
): Promise<Attempt> {
  const cleanups: (() => void)[] = [];
  const ctx: AttemptContext = { phase: 'resolve', onTimeout: (fn) => cleanups.push(fn) };
  const withPeer = (attempt: Attempt): Attempt =>
    ctx.peer && attempt.observed !== 'error' && !attempt.detail?.includes(ctx.peer)
      ? { ...attempt, detail: attempt.detail ? `${attempt.detail} [${ctx.peer}]` : ctx.peer }
      : attempt;
  if (signal?.aborted) return Promise.resolve(interruptedIn(ctx.phase));
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (attempt: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopOnAbort?.();
      resolve(withPeer(attempt));
    };
    // Destroying the sockets makes the body fail; `settled` keeps the outcome decided here.
    const abandon = (attempt: Attempt): void => {
      if (settled) return;
      for (const cleanup of cleanups) cleanup();
      finish(attempt);
    };
    const stopOnAbort = signal ? whenAborted(signal, () => abandon(interruptedIn(ctx.phase))) : undefined;
    // What the peer already said is read before the sockets are destroyed, and so is what already
    // waits in the kernel: a late timer must not turn an answer that came in time into a timeout.
    timer = setTimeout(
      () => afterPendingIo(() => abandon(ctx.atDeadline?.() ?? timedOut(ctx.phase, timeoutMs))),
      timeoutMs,
    );
    body(ctx).then(finish, (error: unknown) => finish(classifyError(error, ctx.phase)));
  });
}

/**
 * Runs `decide` once the event loop has polled for I/O after now. A timer fires in the loop's timers
 * phase, before the poll phase reads the sockets: when the process is busy (thousands of probes in
 * flight) a timer that is due can run while a FIN, RST or reply already waits in the kernel, and a
 * decision taken then measures how late the process was, not what the peer did. setImmediate runs
 * after the next poll phase, whose events (and the stream events they queue) come first.
 */
export function afterPendingIo(decide: () => void): void {
  setImmediate(decide);
}

/** How long a client waits on one address before it tries the next as well (RFC 8305's Connection Attempt Delay). */
const NEXT_ADDRESS_DELAY_MS = 250;

/** `address:port`, with IPv6 addresses in brackets. */
function peerOf(address: string, port: number): string {
  return `${urlHost(address)}:${port}`;
}

/**
 * Resolves the host (to an address of `family` when given) and opens a TCP connection, advancing
 * the attempt's phase as it goes. A name without a family may have several addresses (`::1` and
 * `127.0.0.1`): they are tried as a client does (happy eyeballs): the next one as soon as one fails or
 * after NEXT_ADDRESS_DELAY_MS without an answer, the first connection wins. `ctx.peer` names the
 * address reached, or every address tried; when all fail, the error says what each did.
 */
export function openConnection(ctx: AttemptContext, host: string, port: number, family?: IpFamily): Promise<Socket> {
  ctx.phase = 'resolve';
  // An address needs no resolver: probes of IPs (thousands per agent) skip the lookup's promises and
  // this function's async frame.
  if (!family && isIP(host) !== 0) {
    ctx.phase = 'connect';
    ctx.peer = peerOf(host, port);
    return connectTo(ctx, host, port);
  }
  return resolveAndConnect(ctx, host, port, family);
}

/** openConnection of a name: its addresses, then a connection to the first that answers. */
async function resolveAndConnect(
  ctx: AttemptContext,
  host: string,
  port: number,
  family: IpFamily | undefined,
): Promise<Socket> {
  const addresses = await resolveCandidates(host, family, ctx.onTimeout);
  ctx.phase = 'connect';
  if (addresses.length === 1) {
    const [only = host] = addresses;
    ctx.peer = peerOf(only, port);
    return connectTo(ctx, only, port);
  }
  return connectToFirst(ctx, addresses, port);
}

/** Happy eyeballs over `addresses` (more than one): the first connection wins, the others are destroyed. */
function connectToFirst(ctx: AttemptContext, addresses: readonly string[], port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const failures: { peer: string; error: unknown }[] = [];
    // Every socket opened: the loser's are destroyed once one connects (a SYN_SENT left alone lingers).
    const sockets: Socket[] = [];
    let started = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    // Every address started so far, with what it did when it already failed: a deadline names them all.
    const tried = (): string[] =>
      addresses.slice(0, started).map((a) => {
        const failed = failures.find((f) => f.peer === peerOf(a, port));
        return failed ? `${failed.peer} ${failureText(failed.error)}` : peerOf(a, port);
      });
    const startNext = (): void => {
      clearTimeout(timer);
      if (done || started >= addresses.length) return;
      const address = addresses[started] as string;
      started += 1;
      ctx.peer = tried().join(', ');
      connectTo(ctx, address, port, (socket) => sockets.push(socket)).then(
        (socket) => {
          if (done) return void socket.destroy();
          done = true;
          clearTimeout(timer);
          for (const other of sockets) if (other !== socket) other.destroy();
          const before = failures.map((f) => `${f.peer} ${failureText(f.error)}`);
          ctx.peer = peerOf(address, port) + (before.length > 0 ? ` (after ${before.join(', ')})` : '');
          resolve(socket);
        },
        (error: unknown) => {
          failures.push({ peer: peerOf(address, port), error });
          if (done) return;
          ctx.peer = tried().join(', ');
          if (failures.length === addresses.length) {
            done = true;
            reject(allFailed(failures));
          } else startNext();
        },
      );
      timer = setTimeout(startNext, NEXT_ADDRESS_DELAY_MS);
    };
    ctx.onTimeout(() => clearTimeout(timer));
    startNext();
  });
}

/** One address's failure in a word or two, for the detail. */
function failureText(error: unknown): string {
  const attempt = classifyError(error, 'connect');
  return attempt.reason === 'no-route' ? 'no route from here' : attempt.reason;
}

/**
 * The error of a name none of whose addresses connected: a network answer (refused, unreachable) of
 * the first address that had one decides; only when every address failed in the source's own stack is
 * it a no-route. Its message names what each address did.
 */
function allFailed(failures: readonly { peer: string; error: unknown }[]): Error {
  const answered = failures.find((f) => !(f.error instanceof NoRouteFromHere)) ?? failures[0];
  const cause = answered?.error as NodeJS.ErrnoException | undefined;
  const summary = `every address failed: ${failures.map((f) => `${f.peer} ${failureText(f.error)}`).join(', ')}`;
  if (cause instanceof NoRouteFromHere) {
    const error = new NoRouteFromHere(cause.cause as NodeJS.ErrnoException);
    error.message = `${summary}; ${error.message}`;
    return error;
  }
  return Object.assign(new Error(`${summary} (${cause?.message ?? 'unknown'})`, { cause }), {
    code: cause?.code,
    syscall: 'connect',
  });
}

/** Connects to one address; an error of connect() itself (nothing was sent) becomes NoRouteFromHere. */
function connectTo(
  ctx: AttemptContext,
  address: string,
  port: number,
  opened?: (socket: Socket) => void,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: address, port, noDelay: true });
    ctx.onTimeout(() => socket.destroy());
    opened?.(socket);
    // Node emits connectionAttemptFailed only for an attempt the kernel took on (a SYN went out, then
    // an RST, an ICMP error or a timeout ended it); an error without it is connect() itself failing.
    let sent = false;
    const onAttemptFailed = (): void => {
      sent = true;
    };
    // None of these stays on the socket once the connect is decided: a listener left on it would keep
    // this attempt's closures (and through them its promises) reachable for as long as the socket is.
    const detach = (): void => {
      socket.off('connectionAttemptFailed', onAttemptFailed);
      socket.off('connect', onConnect);
      socket.off('error', onError);
    };
    const onConnect = (): void => {
      detach();
      resolve(socket);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      detach();
      reject(!sent && error.syscall === 'connect' && error.code ? new NoRouteFromHere(error) : error);
    };
    socket.on('connectionAttemptFailed', onAttemptFailed);
    socket.on('connect', onConnect);
    socket.on('error', onError);
  });
}

/**
 * Reads the first line a peer sends. Resolves null when the peer closes without sending anything;
 * rejects with the socket error when it resets.
 */
export function readFirstLine(socket: Socket, maxBytes = 512): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = (value: string | null): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', reject);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\n');
      if (end >= 0 || buffered.length >= maxBytes)
        done(buffered.slice(0, end >= 0 ? end : maxBytes).replace(/\r$/, ''));
    };
    const onEnd = (): void => done(buffered.length > 0 ? buffered : null);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', reject);
  });
}
