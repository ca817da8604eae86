// The sender of a zone-affinity check: `requests` GETs from where it runs, each on a new connection
// (a Service picks its endpoint per connection), a few in flight at once, each with a deadline; for
// each answer, the pod it names (a response header or a JSON body field). Never throws.

import type { IncomingMessage } from 'node:http';
import type { IdentitySource } from '../model/affinity.ts';
import { type AffinityMeasurement, MAX_IDENTITIES, MAX_IDENTITY_LENGTH } from '../model/affinity-plan.ts';
import { hostHeader, type TargetAddress } from '../model/target.ts';

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

/** Sends the requests and returns who answered each, in arrival order. */
export async function sendForAffinity(plan: AffinitySend): Promise<AffinityMeasurement> {
  const { address, requests, timeoutMs, concurrency, identity, signal } = plan;
  const http = address.scheme === 'https' ? await import('node:https') : await import('node:http');
  const options = {
    // A new connection per request: no agent keeps one alive.
    agent: false as const,
    host: address.host,
    port: address.port,
    path: address.path || '/',
    method: 'GET',
    headers: { host: hostHeader(address), 'user-agent': 'prober', connection: 'close' },
    ...(address.family ? { family: address.family === 'ipv6' ? 6 : 4 } : {}),
    ...(address.scheme === 'https' ? { rejectUnauthorized: false } : {}),
  };
  const one = (): Promise<Outcome> =>
    new Promise((settle) => {
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
      const stop = (): void => void req.destroy();
      signal?.addEventListener('abort', stop, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', stop));
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
