// HTTP(S) probe: the status decides — expected statuses allow, L7-deny statuses deny, anything else is an error.

import { request, type IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { hostPort, type TargetAddress } from '../model/target.ts';
import { DEFAULT_DENY_STATUS, DEFAULT_EXPECT_STATUS, statusIn, type StatusSet } from '../model/test-spec.ts';
import { openConnection, runAttempt, type AttemptContext } from './attempt.ts';
import type { Attempt } from './classify.ts';

/** How to judge HTTP statuses for one target. */
export interface HttpJudgement {
  readonly expectStatus?: StatusSet | undefined;
  readonly denyStatus?: StatusSet | undefined;
}

const USER_AGENT = 'prober';

/** Sends one GET and classifies the status; the body is read only to quote it in the detail. */
export function httpAttempt(address: TargetAddress, timeoutMs: number, judgement: HttpJudgement = {}): Promise<Attempt> {
  return runAttempt(timeoutMs, async (ctx) => {
    const plain = await openConnection(ctx, address.host, address.port);
    const socket = address.scheme === 'https' ? await startTls(ctx, plain, address.host) : plain;
    ctx.phase = 'exchange';
    try {
      const response = await exchange(ctx, socket, address);
      if (response === 'closed') return { observed: 'deny', reason: 'closed', detail: 'connected, then closed before any response' };
      return judge(response.status, response.snippet, judgement);
    } finally {
      socket.destroy();
    }
  });
}

async function startTls(ctx: AttemptContext, socket: Socket, servername: string): Promise<Socket> {
  // Loaded on first use: plans without https targets never pay for the TLS stack.
  const { connect: tlsConnect } = await import('node:tls');
  return new Promise((resolve, reject) => {
    // Reachability, not certificate hygiene, is under test: a completed handshake is enough.
    // SNI carries host names only (RFC 6066); Node warns (DEP0123) when given an address.
    const sni = isIP(servername) === 0 ? { servername } : {};
    const secure = tlsConnect({ socket, ...sni, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    ctx.onTimeout(() => secure.destroy());
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

function exchange(ctx: AttemptContext, socket: Socket, address: TargetAddress): Promise<{ status: number; snippet: string } | 'closed'> {
  return new Promise((resolve, reject) => {
    let peerClosed = false;
    socket.once('end', () => {
      peerClosed = true;
    });
    const req = request({
      createConnection: () => socket,
      method: 'GET',
      path: address.path || '/',
      headers: { host: hostPort(address).replace(/:(80|443)$/, ''), 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' },
    });
    ctx.onTimeout(() => req.destroy());
    req.once('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      readSnippet(res).then((snippet) => resolve({ status, snippet }));
    });
    req.once('error', (error: NodeJS.ErrnoException) => {
      // "socket hang up" carries ECONNRESET for a clean close too; the socket's own events tell which.
      if (error.code === 'ECONNRESET' && peerClosed) resolve('closed');
      else reject(error);
    });
    req.end();
  });
}

/** The first bytes of the body (e.g. "RBAC: access denied"), without waiting for a slow or endless body. */
function readSnippet(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = (): void => {
      res.removeAllListeners('data');
      resolve(text.replace(/\s+/g, ' ').trim().slice(0, 120));
    };
    res.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.length >= 120) done();
    });
    res.once('end', done);
    res.once('error', done);
    res.once('close', done);
  });
}

function judge(status: number, snippet: string, judgement: HttpJudgement): Attempt {
  const reason = `http-${status}` as const;
  const detail = snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
  if (statusIn(judgement.expectStatus ?? DEFAULT_EXPECT_STATUS, status)) return { observed: 'allow', reason, detail };
  if (statusIn(judgement.denyStatus ?? DEFAULT_DENY_STATUS, status)) return { observed: 'deny', reason, detail };
  return { observed: 'error', reason, detail: `${detail} (neither an expected nor a deny status)` };
}
