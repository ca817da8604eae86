// DNS probe: can the source get an answer for a name? Through the system resolver as the workload
// would, or with a real DNS query to a named server (or the source's own nameserver) over UDP or TCP.

import { type DnsQuerySpec, recordTypeOf } from '../model/dns-query.ts';
import type { TargetAddress } from '../model/target.ts';
import { type AttemptContext, runAttempt } from './attempt.ts';
import type { Attempt } from './classify.ts';
import { nowMs } from './clock.ts';
import { askServer } from './dns-transport.ts';
import { lookupAll, lookupSlots } from './lookup.ts';
import { firstNameserver } from './resolv-conf.ts';

const SYSTEM: DnsQuerySpec = { over: 'system' };
/** The most addresses a detail line lists. */
const MAX_LISTED = 8;
/** getaddrinfo's "try again": no server answered, or one answered SERVFAIL/REFUSED; the resolver does not say which. */
const NO_ANSWER_CODES = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL', 'EREFUSED']);

/** Asks for the name the way the target says: a named server over UDP/TCP, or the system resolver. */
export function dnsAttempt(address: TargetAddress, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  const asked = address.dns ?? SYSTEM;
  // A target's family names the record it asks for (the test loader writes it into the URL as type=).
  const spec = asked.type || !address.family ? asked : { ...asked, type: recordTypeOf(address.family) };
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      // Past the resolve phase a passed deadline reads as a deny: no server answered.
      ctx.phase = 'exchange';
      if (spec.over === 'system') return systemLookup(ctx, address.host, spec, timeoutMs);
      const server = spec.server ?? (await firstNameserver());
      if (typeof server === 'string') return { observed: 'error', reason: 'dns', detail: server };
      return askServer(ctx, server, spec.over, address.host, spec.type ?? 'A', timeoutMs);
    },
    signal,
  );
}

/**
 * Resolves through getaddrinfo (hosts file, search domains, every nameserver), as the workload does.
 * "The name does not exist" is an answer (allow/nxdomain). "Try again" covers an unreachable server,
 * a silent one and a SERVFAIL alike, so the probe then asks the first nameserver itself to say which.
 */
async function systemLookup(
  ctx: AttemptContext,
  host: string,
  spec: DnsQuerySpec,
  timeoutMs: number,
): Promise<Attempt> {
  const started = nowMs();
  // getaddrinfo cannot be cancelled: when it returns after the deadline, the attempt is over and nothing more is asked.
  let expired = false;
  ctx.onTimeout(() => {
    expired = true;
  });
  // Every address of the name, then those of the type's family: "no such name" and "no address of
  // this family" stay apart (getaddrinfo asked for one family says ENOTFOUND to both).
  const shared = lookupAll(host, ctx.onTimeout);
  // Silence is a deny only when the resolver had the whole timeout: a lookup that waited for one of the
  // lookup slots (other names' lookups hold them) was asked late or never, and cannot decide.
  ctx.atDeadline = () =>
    shared.waited
      ? {
          observed: 'error',
          reason: 'dns',
          detail: shared.queued()
            ? `the system resolver was not asked within ${timeoutMs}ms: all ${lookupSlots()} lookup slots were held by lookups of other names`
            : `the system resolver was asked only after waiting for a free lookup slot, and did not answer within the ${timeoutMs}ms left`,
        }
      : { observed: 'deny', reason: 'timeout', detail: `the system resolver did not answer within ${timeoutMs}ms` };
  try {
    const all = await shared.addresses;
    const family = spec.type === 'AAAA' ? 6 : spec.type === 'A' ? 4 : 0;
    const found = family === 0 ? all : all.filter((a) => a.family === family);
    if (found.length === 0)
      return {
        observed: 'allow',
        reason: 'resolved',
        detail: `${host} exists but has no ${spec.type} address (it resolves to ${all
          .slice(0, MAX_LISTED)
          .map((a) => a.address)
          .join(', ')})`,
      };
    const listed = found.slice(0, MAX_LISTED).map((a) => a.address);
    const more = found.length > MAX_LISTED ? ` and ${found.length - MAX_LISTED} more` : '';
    return { observed: 'allow', reason: 'resolved', detail: `${listed.join(', ')}${more}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOTFOUND')
      return {
        observed: 'allow',
        reason: 'nxdomain',
        detail: `ENOTFOUND: the system resolver answered that ${host} has no address (NXDOMAIN or no records)`,
      };
    if (code === 'ENODATA')
      return {
        observed: 'allow',
        reason: 'resolved',
        detail: `ENODATA: ${host} exists but has no address of that family`,
      };
    if (expired) return { observed: 'deny', reason: 'timeout', detail: `${code}: after the deadline` };
    if (!NO_ANSWER_CODES.has(code))
      return {
        observed: 'error',
        reason: 'dns',
        detail: `${code || String(error)}: the system resolver failed for ${host}`,
      };
    return diagnose(ctx, host, spec, code, Math.max(1, timeoutMs - (nowMs() - started)));
  }
}

/** Asks the first nameserver directly, over UDP, within the time left, to tell why the system resolver gave up. */
async function diagnose(
  ctx: AttemptContext,
  host: string,
  spec: DnsQuerySpec,
  code: string,
  leftMs: number,
): Promise<Attempt> {
  const said = `the system resolver gave up (${code})`;
  const server = await firstNameserver();
  if (typeof server === 'string') return { observed: 'error', reason: 'dns', detail: `${said}; ${server}` };
  let direct: Attempt;
  try {
    const pending = askServer(ctx, server, 'udp', host, spec.type ?? 'A', leftMs);
    // Set after askServer set its own: the deadline is the attempt's, and this says what it means here.
    ctx.atDeadline = () => ({
      observed: 'deny',
      reason: 'timeout',
      detail: `${said}; asked directly, nameserver ${server.ip} did not answer either`,
    });
    direct = await pending;
  } catch (error) {
    // ICMP errors are classified by askServer; anything thrown is a failure of the asking itself.
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    return { observed: 'error', reason: 'dns', detail: `${said}; asking nameserver ${server.ip} failed: ${why}` };
  }
  if (direct.observed === 'allow')
    // The server answers this probe but the system resolver still gave up: nothing here can say why.
    return {
      observed: 'error',
      reason: 'dns',
      detail: `${said}, though nameserver ${server.ip} answers (${direct.detail})`,
    };
  return { ...direct, detail: `${said}; asked directly: ${direct.detail ?? direct.reason}` };
}
