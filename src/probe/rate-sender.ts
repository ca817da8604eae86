// The open-loop sender of a rate-limit check: GET requests on a fixed schedule, whatever the answers,
// over a bounded set of kept-alive connections, each with a deadline; every answer and failure is
// counted by kind. Never throws.

import type { ClientRequest, Agent as HttpAgent, IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LATE_MS, type RateMeasurement, type Unanswered } from '../model/rate-judgement.ts';
import { scheduledRequests } from '../model/rate-limit.ts';
import { hostHeader, type TargetAddress } from '../model/target.ts';
import { nowMs } from './clock.ts';

/** What one phase sends. */
export interface RatePlan {
  readonly address: TargetAddress;
  readonly offeredPerSecond: number;
  readonly durationMs: number;
  /** Each request's deadline, from when it is sent. */
  readonly timeoutMs: number;
  /** Requests in flight at most: a request due while this many are open is not sent. */
  readonly maxInFlight: number;
  readonly signal?: AbortSignal;
}

/** Headers that tell how a limiter answers: Envoy's, the IETF draft's, the common `X-RateLimit-*`, Retry-After. */
const RATE_HEADER = /^(x-envoy-ratelimited|x-ratelimit-.*|ratelimit(-.*)?|retry-after)$/;
/** Rejection headers kept at most, and the characters of each value. */
const MAX_HEADERS = 8;
const MAX_HEADER_VALUE = 100;
/** How often requests past their deadline are looked for. */
const SWEEP_MS = 50;

/** Counts gathered while a phase runs (mutable: thousands of answers a second update them). */
class Tally {
  accepted = 0;
  resets = 0;
  readonly statuses: Record<string, number> = {};
  readonly unanswered: { -readonly [K in keyof Unanswered]: number } = { timeout: 0, refused: 0, error: 0 };
  readonly headers = new Map<string, string>();
  firstFailure: string | undefined;

  answer(res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 400) {
      this.accepted++;
      return;
    }
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (this.headers.size >= MAX_HEADERS) return;
    for (const [name, value] of Object.entries(res.headers)) {
      if (!RATE_HEADER.test(name) || this.headers.has(name) || this.headers.size >= MAX_HEADERS) continue;
      this.headers.set(name, String(value).slice(0, MAX_HEADER_VALUE));
    }
  }

  fail(kind: 'reset' | keyof Unanswered, detail: string): void {
    if (kind === 'reset') this.resets++;
    else this.unanswered[kind]++;
    this.firstFailure ??= detail.slice(0, 200);
  }
}

/** What a failed request was, from its error. */
function failureKind(error: NodeJS.ErrnoException): 'reset' | keyof Unanswered {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return 'error';
  }
}

/**
 * Sends `offeredPerSecond × durationMs` GET requests to the address, each at its time on the
 * schedule (several per timer tick at high rates), and returns what came back once every request
 * was answered, failed or passed its deadline. A request that cannot go out in time (the phase
 * ended more than the lateness bound ago, every connection busy) is not sent: the achieved rate says so.
 */
export async function sendAtRate(plan: RatePlan): Promise<RateMeasurement> {
  const { address, offeredPerSecond, durationMs, timeoutMs, maxInFlight, signal } = plan;
  const http = process.getBuiltinModule(address.scheme === 'https' ? 'node:https' : 'node:http');
  const agent: HttpAgent = new http.Agent({
    keepAlive: true,
    maxSockets: maxInFlight,
    maxFreeSockets: maxInFlight,
    ...(address.scheme === 'https' ? { rejectUnauthorized: false } : {}),
  });
  const tally = new Tally();
  /** Requests not yet finished: when each was sent, and whether its answer came. */
  const open = new Map<ClientRequest, { sentAt: number; answered: boolean }>();
  const scheduled = scheduledRequests({ offeredPerSecond, durationMs });
  const interval = 1000 / offeredPerSecond;
  // Late enough to change what a limiter sees: three requests in one slot of the schedule (which a
  // bucket of two absorbs), and past timer jitter.
  const lateAfter = Math.max(LATE_MS, 2 * interval);
  const options = {
    agent,
    host: address.host,
    port: address.port,
    path: address.path || '/',
    method: 'GET',
    headers: { host: hostHeader(address), 'user-agent': 'prober' },
    ...(address.family ? { family: address.family === 'ipv6' ? 6 : 4 } : {}),
  };
  let settled: (() => void) | undefined;
  const done = (req: ClientRequest): void => {
    if (!open.delete(req)) return;
    if (open.size === 0) settled?.();
  };
  const send = (): void => {
    const req = http.request(options, (res) => {
      const entry = open.get(req);
      if (!entry) return;
      entry.answered = true;
      tally.answer(res);
      res.on('error', () => {});
      res.resume();
      res.on('end', () => done(req));
      res.on('close', () => done(req));
    });
    open.set(req, { sentAt: nowMs(), answered: false });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (open.get(req)?.answered !== false) return done(req);
      tally.fail(failureKind(error), error.message);
      done(req);
    });
    req.end();
  };
  const sweep = setInterval(() => {
    const now = nowMs();
    for (const [req, { sentAt, answered }] of open) {
      if (now - sentAt < timeoutMs) continue;
      // An answer whose body outlasts the deadline was counted; it is only cut off.
      if (!answered) tally.fail('timeout', `no answer within ${timeoutMs}ms`);
      open.delete(req);
      req.destroy();
    }
    if (open.size === 0) settled?.();
  }, SWEEP_MS);
  let sent = 0;
  let late = 0;
  const start = nowMs();
  try {
    let next = 0;
    while (next < scheduled && !signal?.aborted) {
      const now = nowMs() - start;
      // A request due before the end may still leave as late as any other: the end is no stricter.
      if (now >= durationMs + lateAfter) break;
      for (; next < scheduled && next * interval <= now; next++) {
        if (open.size >= maxInFlight) continue;
        if (now - next * interval > lateAfter) late++;
        send();
        sent++;
      }
      // Timers fire at millisecond granularity: above a thousand a second, each tick sends what fell due
      // since the last (spinning on setImmediate instead would take a core from the target on loopback).
      // At a few requests a minute the wait is long: an interrupt ends it.
      await sleep(Math.max(1, Math.floor(next * interval - (nowMs() - start))), undefined, { signal }).catch(
        () => undefined,
      );
    }
    if (open.size > 0 && !signal?.aborted)
      await new Promise<void>((resolve) => {
        settled = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
  } finally {
    clearInterval(sweep);
    for (const req of open.keys()) req.destroy();
    agent.destroy();
  }
  return {
    offeredPerSecond,
    durationMs,
    scheduled,
    sent,
    achievedPerSecond: (sent * 1000) / durationMs,
    late,
    accepted: tally.accepted,
    statuses: tally.statuses,
    resets: tally.resets,
    unanswered: tally.unanswered,
    rejectionHeaders: [...tally.headers].map(([name, value]) => `${name}: ${value}`),
    ...(tally.firstFailure ? { firstFailure: tally.firstFailure } : {}),
    ...(signal?.aborted ? { interrupted: true } : {}),
  };
}
