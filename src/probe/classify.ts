// Turns socket and resolver errors into outcome classes, following the outcome table of the design.

import type { Observed, Reason } from '../model/outcome.ts';
import { NoAddressOfFamily } from './resolve.ts';

/** A classified single attempt. */
export interface Attempt {
  readonly observed: Observed;
  readonly reason: Reason;
  readonly detail?: string;
}

/**
 * A connect() that the source's own kernel failed at once, before any packet left: a route lookup
 * failed (no route; a local `unreachable`, `prohibit` or `blackhole` route) or the source has no
 * address to send from. An ICMP error from a router surfaces with the same codes, but only later,
 * as the outcome of a connection attempt that was sent — so where the error came from, not its
 * code, tells the two apart.
 */
export class NoRouteFromHere extends Error {
  readonly code: string;
  constructor(cause: NodeJS.ErrnoException) {
    const code = cause.code ?? 'unknown';
    super(`no route from here (${code} from the source's own stack on connect; nothing was sent): ${cause.message}`, {
      cause,
    });
    this.name = 'NoRouteFromHere';
    this.code = code;
  }
}

/** Error codes of name resolution: the name could not be turned into an address. */
const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
  'EBADNAME',
  'ECONNREFUSED_DNS',
  'ETIMEOUT',
]);

/**
 * Classifies an error raised while connecting or talking to a target.
 * Unknown errors become `error/internal` with their code, never a deny.
 */
export function classifyError(error: unknown, phase: 'resolve' | 'connect' | 'exchange'): Attempt {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const detail = !code || message.includes(code) ? message : `${code}: ${message}`;
  if (error instanceof NoAddressOfFamily) return { observed: 'error', reason: 'no-address', detail: message };
  if (error instanceof NoRouteFromHere) return { observed: 'error', reason: 'no-route', detail: message };
  if (phase === 'resolve' || DNS_CODES.has(code)) return { observed: 'error', reason: 'dns', detail };
  switch (code) {
    case 'ECONNREFUSED':
      return { observed: 'deny', reason: 'refused', detail };
    case 'ECONNRESET':
    case 'EPIPE':
      // A RST answering the SYN surfaces as ECONNREFUSED; ECONNRESET means the handshake completed first,
      // even when the reset lands before the connect callback runs.
      return { observed: 'deny', reason: 'reset', detail };
    case 'ETIMEDOUT':
      return { observed: 'deny', reason: 'timeout', detail };
    // Sent, and a router (or the target's host) answered ICMP net/host unreachable; failures of the
    // source's own route lookup come as NoRouteFromHere instead.
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return { observed: 'deny', reason: 'unreachable', detail };
    case 'EPERM':
    case 'EACCES':
      return { observed: 'deny', reason: 'blocked', detail };
    default:
      // Node's HTTP parser: the peer answered, but not with HTTP/1.x the probe can judge.
      if (code.startsWith('HPE_')) return { observed: 'error', reason: 'protocol', detail };
      if (
        code.startsWith('ERR_TLS') ||
        code.startsWith('ERR_SSL') ||
        code === 'EPROTO' ||
        /certificate|handshake|SSL/i.test(message)
      ) {
        return { observed: 'error', reason: 'tls', detail };
      }
      return { observed: 'error', reason: 'internal', detail: detail || 'unknown failure' };
  }
}

/** The attempt for a deadline that passed: before resolution finished it is a DNS error, after it a deny. */
export function timedOut(phase: 'resolve' | 'connect' | 'exchange', timeoutMs: number): Attempt {
  if (phase === 'resolve')
    return { observed: 'error', reason: 'dns', detail: `name resolution took longer than ${timeoutMs}ms` };
  const what = phase === 'connect' ? 'no answer to the connection attempt' : 'connected, but no reply';
  return { observed: 'deny', reason: 'timeout', detail: `${what} within ${timeoutMs}ms` };
}
