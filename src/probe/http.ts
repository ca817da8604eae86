// HTTP(S) probe: the status decides — expected statuses allow, L7-deny statuses deny, anything else is an error.

import { type IncomingMessage, request } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { hostHeader, type TargetAddress } from '../model/target.ts';
import { type AttemptContext, openConnection, runAttempt } from './attempt.ts';
import type { Attempt } from './classify.ts';
import {
  bodySnippet,
  brokenReply,
  type HttpJudgement,
  judge,
  MAX_HEAD_BYTES,
  type ReplyStart,
  unfinishedReply,
  watchReplyStart,
} from './http-reply.ts';

const USER_AGENT = 'prober';

/**
 * Sends one GET and classifies the status. Once a final status line arrived it decides, whatever the
 * headers' end or the body then do (slow, short, endless, reset) and however close the deadline is;
 * the body is read only briefly, to quote its first bytes in the detail.
 */
export function httpAttempt(
  address: TargetAddress,
  timeoutMs: number,
  judgement: HttpJudgement = {},
  signal?: AbortSignal,
): Promise<Attempt> {
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      const plain = await openConnection(ctx, address.host, address.port, address.family);
      const socket = address.scheme === 'https' ? await startTls(ctx, plain, address.host, timeoutMs) : plain;
      if ('observed' in socket) return socket;
      ctx.phase = 'exchange';
      try {
        return await exchange(ctx, socket, address, judgement, timeoutMs);
      } finally {
        socket.destroy();
      }
    },
    signal,
  );
}

/**
 * The TLS handshake over `socket`: the secure socket, or the attempt's outcome when the peer closed
 * before answering it.
 */
async function startTls(
  ctx: AttemptContext,
  socket: Socket,
  servername: string,
  timeoutMs: number,
): Promise<Socket | Attempt> {
  // Loaded on first use: plans without https targets never pay for the TLS stack.
  const { connect: tlsConnect } = process.getBuiltinModule('node:tls');
  // TCP is up, so a deadline here is no "no answer to the connection attempt". Silence to the
  // ClientHello is the same "connected, but no reply" as a silent HTTP or Redis peer: a deny. A
  // handshake the peer began but did not finish proves it answered: the check failed, not the network.
  ctx.atDeadline = () =>
    socket.bytesRead > 0
      ? { observed: 'error', reason: 'tls', detail: `TLS handshake started but did not finish within ${timeoutMs}ms` }
      : {
          observed: 'deny',
          reason: 'timeout',
          detail: `connected, but no answer to the TLS handshake within ${timeoutMs}ms`,
        };
  return new Promise<Socket | Attempt>((resolve, reject) => {
    // Reachability, not certificate hygiene, is under test: a completed handshake is enough.
    // SNI carries host names only (RFC 6066); Node warns (DEP0123) when given an address.
    const sni = isIP(servername) === 0 ? { servername } : {};
    const secure = tlsConnect({ socket, ...sni, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    ctx.onTimeout(() => secure.destroy());
    secure.once('secureConnect', () => {
      secure.off('error', onError);
      ctx.atDeadline = undefined;
      resolve(secure);
    });
    // Node reports a FIN before the handshake as ECONNRESET ("disconnected before secure TLS connection
    // was established"): the 'end' it comes from tells that close from a real reset, which has no 'end'.
    let peerClosed = false;
    secure.once('end', () => {
      peerClosed = socket.bytesRead === 0;
    });
    const onError = (error: Error): void => {
      if (!peerClosed) {
        reject(error);
        return;
      }
      secure.destroy();
      resolve({ observed: 'deny', reason: 'closed', detail: 'connected, then closed before the TLS handshake' });
    };
    secure.once('error', onError);
  });
}

function exchange(
  ctx: AttemptContext,
  socket: Socket,
  address: TargetAddress,
  judgement: HttpJudgement,
  timeoutMs: number,
): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    let peerClosed = false;
    let interim: number | undefined;
    let start: ReplyStart = { head: '' };
    let answered = false;
    socket.once('end', () => {
      peerClosed = true;
    });
    const req = request({
      createConnection: () => socket,
      method: 'GET',
      path: address.path || '/',
      maxHeaderSize: MAX_HEAD_BYTES,
      headers: {
        host: hostHeader(address),
        'user-agent': USER_AGENT,
        accept: '*/*',
        connection: 'close',
      },
    });
    ctx.onTimeout(() => req.destroy());
    // 'socket' comes after the client's own data listener is attached, so no byte can slip past either.
    req.once('socket', (attached: Socket) => {
      start = watchReplyStart(attached);
    });
    ctx.atDeadline = () => unfinishedReply(start, interim, judgement, `after ${timeoutMs}ms`);
    req.on('information', (info: { statusCode: number }) => {
      interim = info.statusCode;
    });
    // A 101 to a GET that asked for no upgrade: the peer speaks HTTP, but the reply has no status to judge.
    req.once('upgrade', (res: IncomingMessage) => {
      answered = true;
      resolve({
        observed: 'error',
        reason: 'protocol',
        detail: `HTTP ${res.statusCode ?? 101}: a switch to another protocol nobody asked for`,
      });
    });
    req.once('response', (res: IncomingMessage) => {
      answered = true;
      const status = res.statusCode ?? 0;
      const snippet = bodySnippet(res);
      ctx.atDeadline = () => judge(status, snippet.text(), judgement);
      void snippet.done.then((text) => resolve(judge(status, text, judgement)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // After the status, a reset or close only cuts the body short; the snippet says so.
      if (answered) return;
      if (error.code?.startsWith('HPE_')) return resolve(brokenReply(error, start));
      const unfinished = unfinishedReply(start, interim, judgement, 'when the connection ended');
      if (unfinished) resolve(unfinished);
      // "socket hang up" carries ECONNRESET for a clean close too; the socket's own events tell which.
      else if (error.code === 'ECONNRESET' && peerClosed)
        resolve({ observed: 'deny', reason: 'closed', detail: 'connected, then closed before any response' });
      else reject(error);
    });
    req.end();
  });
}
