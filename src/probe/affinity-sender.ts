// The sender of a zone-affinity check: `requests` GETs from where it runs, each on a new connection
// (a Service picks its endpoint per connection), a few in flight at once, each with a deadline; for
// each answer, the pod it names (a response header or a JSON body field). The name is resolved once
// (a Service's virtual address picks per connection, not per lookup); over http:// with a header
// identity a request is a bare socket that reads the answer's head and closes (ten thousand
// connections cost a fraction of Node's HTTP client); otherwise Node's client. Never throws.

import type { IncomingMessage } from 'node:http';
import { isIP, connect as netConnect } from 'node:net';
import type { IdentitySource } from '../model/affinity.ts';
import { type AffinityMeasurement, MAX_IDENTITIES, MAX_IDENTITY_LENGTH } from '../model/affinity-plan.ts';
import { hostHeader, type TargetAddress } from '../model/target.ts';
import { whenAborted } from './abort-list.ts';

/** What one source pod sends. */
export interface AffinitySend {
  readonly address: TargetAddress;
  readonly requests: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly identity: IdentitySource;
  readonly signal?: AbortSignal;
}

/** The most body bytes read for a JSON identity: an identity document, not a download. */
const MAX_BODY_BYTES = 64 * 1024;

type Outcome = { identity: string | undefined } | { failed: 'timeout' | 'refused' | 'error'; detail: string };

/** The identity an answer carries, or undefined when it names none. */
function identityOf(res: IncomingMessage, identity: IdentitySource): Promise<string | undefined> {
  const clean = (value: unknown): string | undefined =>
    typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_IDENTITY_LENGTH) : undefined;
  if ('header' in identity) {
    res.resume();
    const value = res.headers[identity.header];
    return Promise.resolve(clean(Array.isArray(value) ? value[0] : value));
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else res.destroy();
    });
    res.on('error', () => resolve(undefined));
    res.on('close', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        const field =
          typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[identity.jsonField] : undefined;
        resolve(clean(field));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** The most bytes of an answer's head read by the bare socket. */
const MAX_HEAD_BYTES = 16 * 1024;

/** The address to connect to: the host as written when it is one, else its first address (one lookup, under the deadline). */
async function resolveOnce(address: TargetAddress, timeoutMs: number): Promise<string | { failed: string }> {
  if (isIP(address.host)) return address.host;
  const { lookup } = process.getBuiltinModule('node:dns/promises');
  const family = address.family === 'ipv6' ? 6 : address.family === 'ipv4' ? 4 : 0;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ failed: string }>((resolve) => {
    timer = setTimeout(() => resolve({ failed: `no address for ${address.host} within ${timeoutMs}ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      lookup(address.host, { family }).then(
        (found) => found.address,
        (error: Error) => ({ failed: `${address.host}: ${error.message}` }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One GET on a bare socket: the status line and headers read, the named header's value kept, the socket closed. */
function bareRequest(
  ip: string,
  address: TargetAddress,
  header: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  return new Promise((settle) => {
    const socket = netConnect({ host: ip, port: address.port });
    let head = '';
    const finish = (outcome: Outcome): void => {
      clearTimeout(deadline);
      leave?.();
      socket.destroy();
      settle(outcome);
    };
    const deadline = setTimeout(
      () => finish({ failed: 'timeout', detail: `no answer within ${timeoutMs}ms` }),
      timeoutMs,
    );
    // One list per signal, not a listener per request (src/probe/abort-list.ts says why).
    const leave = signal ? whenAborted(signal, () => finish({ failed: 'error', detail: 'interrupted' })) : undefined;
    socket.setNoDelay(true);
    socket.once('connect', () =>
      socket.write(
        `GET ${address.path || '/'} HTTP/1.1\r\nhost: ${hostHeader(address)}\r\nuser-agent: prober\r\nconnection: close\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < MAX_HEAD_BYTES) return;
      const lines = head.slice(0, end < 0 ? MAX_HEAD_BYTES : end).split('\r\n');
      if (!/^HTTP\/1\.[01] \d{3}/.test(lines[0] ?? ''))
        return finish({ failed: 'error', detail: 'not an HTTP answer' });
      const line = lines.find((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase() === header);
      const value = line?.slice(line.indexOf(':') + 1).trim();
      finish({ identity: value ? value.slice(0, MAX_IDENTITY_LENGTH) : undefined });
    });
    socket.once('end', () => finish({ failed: 'error', detail: 'the connection closed before the answer' }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ failed: error.code === 'ECONNREFUSED' ? 'refused' : 'error', detail: error.message }),
    );
  });
}

/** Sends the requests and returns who answered each, in arrival order. */
export async function sendForAffinity(plan: AffinitySend): Promise<AffinityMeasurement> {
  const { address, requests, timeoutMs, concurrency, identity, signal } = plan;
  const ip = await resolveOnce(address, timeoutMs);
  if (typeof ip !== 'string')
    return {
      sent: 0,
      identities: [],
      sequence: [],
      failures: { timeout: 0, refused: 0, error: 0 },
      firstFailure: ip.failed,
    };
  const http = process.getBuiltinModule(address.scheme === 'https' ? 'node:https' : 'node:http');
  const options = {
    // A new connection per request: no agent keeps one alive.
    agent: false as const,
    host: ip,
    ...(address.scheme === 'https' && !isIP(address.host) ? { servername: address.host } : {}),
    port: address.port,
    path: address.path || '/',
    method: 'GET',
    headers: { host: hostHeader(address), 'user-agent': 'prober', connection: 'close' },
    ...(address.scheme === 'https' ? { rejectUnauthorized: false } : {}),
  };
  const bare = address.scheme === 'http' && 'header' in identity ? identity.header : undefined;
  const one = (): Promise<Outcome> =>
    bare !== undefined
      ? bareRequest(ip, address, bare, timeoutMs, signal)
      : new Promise((settle) => {
          // The deadline covers the answer's body too; the first outcome wins.
          const resolve = (outcome: Outcome): void => {
            clearTimeout(deadline);
            settle(outcome);
          };
          const req = http.request(options, (res) => {
            void identityOf(res, identity).then((id) => resolve({ identity: id }));
          });
          const deadline = setTimeout(() => {
            resolve({ failed: 'timeout', detail: `no answer within ${timeoutMs}ms` });
            req.destroy();
          }, timeoutMs);
          const leave = signal ? whenAborted(signal, () => void req.destroy()) : undefined;
          req.on('close', () => leave?.());
          req.on('error', (error: NodeJS.ErrnoException) => {
            resolve({ failed: error.code === 'ECONNREFUSED' ? 'refused' : 'error', detail: error.message });
          });
          req.end();
        });
  const identities: string[] = [];
  const index = new Map<string, number>();
  const sequence: number[] = [];
  const failures = { timeout: 0, refused: 0, error: 0 };
  let firstFailure: string | undefined;
  let sent = 0;
  const record = (outcome: Outcome): void => {
    if (signal?.aborted) return;
    if ('failed' in outcome) {
      failures[outcome.failed]++;
      firstFailure ??= outcome.detail.slice(0, 200);
      return;
    }
    const id = outcome.identity;
    let i = id === undefined ? -1 : (index.get(id) ?? -1);
    if (id !== undefined && i < 0 && identities.length < MAX_IDENTITIES) {
      i = identities.push(id) - 1;
      index.set(id, i);
    }
    sequence.push(i);
  };
  const worker = async (): Promise<void> => {
    while (sent < requests && !signal?.aborted) {
      sent++;
      record(await one());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  return {
    sent,
    identities,
    sequence,
    failures,
    ...(firstFailure ? { firstFailure } : {}),
    ...(signal?.aborted ? { interrupted: true } : {}),
  };
}
