// What a `dns://` target asks: through the system resolver, or a real DNS query to a named server over UDP or TCP.

import type { FamilyChoice, IpFamily } from './family.ts';

/** How a DNS query travels: the system resolver (getaddrinfo), or a wire-format query over UDP or TCP. */
type DnsTransport = 'system' | 'udp' | 'tcp';

/** The record types a `dns://` probe can ask for. */
export type DnsRecordType = 'A' | 'AAAA';

/** A DNS server named by address; the port defaults to 53. */
export interface DnsServer {
  readonly ip: string;
  readonly port: number;
}

/**
 * The query of a `dns://` target. With `over` udp or tcp and no `server`, the probe asks the first
 * `nameserver` of the source's /etc/resolv.conf (in a pod: the cluster DNS Service).
 */
export interface DnsQuerySpec {
  readonly over: DnsTransport;
  readonly server?: DnsServer | undefined;
  /** Undefined: A through a named server; any family through the system resolver. */
  readonly type?: DnsRecordType | undefined;
}

/** The query parameters a `dns://` URL may carry. */
const PARAMETERS = ['server', 'over', 'type'] as const;
const TRANSPORTS: readonly DnsTransport[] = ['udp', 'tcp'];
const TYPES: readonly DnsRecordType[] = ['A', 'AAAA'];

/** The standard DNS port. */
export const DNS_PORT = 53;

/**
 * Reads the query of a `dns://` URL (`?server=IP[:PORT]&over=udp|tcp&type=A|AAAA`, each optional).
 * Returns a one-line reason for anything unknown, repeated or malformed.
 */
export function parseDnsQuery(
  search: URLSearchParams,
): { ok: true; value: DnsQuerySpec } | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  const seen = new Set<string>();
  for (const key of search.keys()) {
    if (!(PARAMETERS as readonly string[]).includes(key))
      return fail(`unknown dns:// parameter "${shorten(key)}" (use server, over or type)`);
    if (seen.has(key)) return fail(`dns:// parameter "${key}" is given twice`);
    seen.add(key);
  }
  const serverText = search.get('server');
  const overText = search.get('over');
  const typeText = search.get('type');
  let server: DnsServer | undefined;
  if (serverText !== null) {
    const parsed = parseServer(serverText);
    if (typeof parsed === 'string') return fail(parsed);
    server = parsed;
  }
  if (overText !== null && !(TRANSPORTS as readonly string[]).includes(overText))
    return fail(`dns:// over="${shorten(overText)}" is not udp or tcp`);
  if (typeText !== null && !(TYPES as readonly string[]).includes(typeText.toUpperCase()))
    return fail(`dns:// type="${shorten(typeText)}" is not A or AAAA`);
  const type = typeText === null ? undefined : (typeText.toUpperCase() as DnsRecordType);
  // A named server without `over` is asked over UDP, as resolvers do first.
  const over: DnsTransport = (overText as DnsTransport | null) ?? (server ? 'udp' : 'system');
  return { ok: true, value: { over, server, type } };
}

/** `IPv4[:PORT]`, `[IPv6][:PORT]` or a bare IPv6 address; a string is the reason it is none of these. */
function parseServer(text: string): DnsServer | string {
  let ip = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    ip = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(ip) !== 6) return `dns:// server "${shorten(text)}" is not an IPv6 address in brackets`;
  } else if (isIP(text) === 6) {
    ip = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      ip = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
    if (isIP(ip) !== 4)
      return `dns:// server "${shorten(text)}" is not an IP address (write IP, IP:PORT or [IPv6]:PORT)`;
  }
  if (portText === undefined) return { ip, port: DNS_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) return `dns:// server port "${shorten(portText)}" is out of range 1-65535`;
  return { ip, port };
}

/** The query written back in canonical order, for the target's canonical URL ('' for the plain system resolver). */
export function dnsQueryText(spec: DnsQuerySpec): string {
  const parts: string[] = [];
  if (spec.server) parts.push(`server=${serverText(spec.server)}`);
  if (spec.over !== 'system') parts.push(`over=${spec.over}`);
  if (spec.type) parts.push(`type=${spec.type}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** `IP:PORT`, bracketing IPv6, the port left out when it is 53. */
function serverText(server: DnsServer): string {
  const host = server.ip.includes(':') ? `[${server.ip}]` : server.ip;
  return server.port === DNS_PORT ? host : `${host}:${server.port}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** 4 or 6 for an IP literal, 0 otherwise (the model stays free of node:net). */
function isIP(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return 0;
  try {
    new URL(`http://[${text}]/`);
    return 6;
  } catch {
    return 0;
  }
}

function shorten(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

/** The record a `dns://` target of one IP family asks for: A for IPv4, AAAA for IPv6. */
export function recordTypeOf(family: IpFamily): DnsRecordType {
  return family === 'ipv4' ? 'A' : 'AAAA';
}

/**
 * Why a `dns://` query's `type` contradicts the target's `family`, if it does: a type names one
 * family, so it may only repeat the family the target asks for (and `both` asks each in turn).
 */
export function typeFamilyConflict(spec: DnsQuerySpec, choice: FamilyChoice): string | undefined {
  if (!spec.type) return undefined;
  if (choice === 'both')
    return `family both asks for A and AAAA in turn; drop type=${spec.type} from the URL or name one family`;
  if (recordTypeOf(choice) !== spec.type)
    return `family ${choice} asks for ${recordTypeOf(choice)} records, but the URL asks type=${spec.type}`;
  return undefined;
}
