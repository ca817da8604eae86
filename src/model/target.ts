// Target URLs: which protocols prober speaks and how a URL names host, port and path.

import { type DnsQuerySpec, dnsQueryText, parseDnsQuery } from './dns-query.ts';
import type { IpFamily } from './family.ts';
import { isScheme, oneOf, SCHEME_NAMES, type Scheme, schemeOf, UNPROBEABLE } from './schemes.ts';

/** A parsed, validated target address. */
export interface TargetAddress {
  readonly scheme: Scheme;
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** Port; 0 for `dns://`, which names no port. */
  readonly port: number;
  /** Path and query for HTTP(S); empty otherwise. */
  readonly path: string;
  /** The URL written back in canonical form. */
  readonly url: string;
  /** The IP family a probe must use (a target's `family`); absent: what the name resolves to first. */
  readonly family?: IpFamily;
  /** For `dns://`: how the name is asked (system resolver, or a named server over UDP/TCP). */
  readonly dns?: DnsQuerySpec;
}

/** A parse outcome: the address, or a one-line reason the text is not a usable target. */
export type TargetParse =
  | { readonly ok: true; readonly value: TargetAddress }
  | { readonly ok: false; readonly error: string };

const HOST_NAME =
  /^(?=.{1,253}$)[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;
const IPV6 = /^\[[0-9a-fA-F:.]+\]$/;

const SERVICE_SHORTHAND =
  /^svc\/([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?):(\d{1,5})$/;

/**
 * Expands the Service shorthand `svc/NAME.NAMESPACE:PORT` into the TCP URL of the Service's cluster
 * DNS name (`tcp://NAME.NAMESPACE.svc.cluster.local:PORT`); undefined when `text` is not that shorthand.
 */
function expandServiceShorthand(text: string): string | undefined {
  const match = SERVICE_SHORTHAND.exec(text);
  return match ? `tcp://${match[1]}.${match[2]}.svc.cluster.local:${match[3]}` : undefined;
}

/**
 * Parses a target URL (`tcp://host:port`, `udp://host:port`, `http(s)://host[:port]/path`, `redis://host[:port]`,
 * `dns://name[?server=IP[:PORT]&over=udp|tcp&type=A|AAAA]`) or the Service shorthand `svc/NAME.NAMESPACE:PORT`. Never throws: a bad URL yields
 * a reason fit for an error message.
 */
export function parseTarget(written: string): TargetParse {
  const fail = (error: string): TargetParse => ({ ok: false, error });
  let text = written;
  if (text.startsWith('svc/')) {
    const expanded = expandServiceShorthand(text);
    if (!expanded) return fail(`"${text}" is not a Service shorthand (write svc/NAME.NAMESPACE:PORT)`);
    text = expanded;
  }
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!schemeMatch) return fail(`"${text}" is not a URL (expected scheme://host…)`);
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  // The policy model reads SCTP ports; a probe cannot, since Node has no SCTP sockets.
  const unprobeable = Object.hasOwn(UNPROBEABLE, scheme) ? UNPROBEABLE[scheme] : undefined;
  if (unprobeable) return fail(`${scheme}:// cannot be probed: ${unprobeable}`);
  if (!isScheme(scheme)) return fail(`unsupported scheme "${scheme}" (use ${oneOf(SCHEME_NAMES)})`);
  const descriptor = schemeOf(scheme);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // WHATWG URL refuses a port above 65535 outright; say which rule was broken.
    const port = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:?#]*):(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
    if (port !== undefined && Number(port) > 65535) return fail(`port ${Number(port)} is out of range 1–65535`);
    return fail(`"${text}" is not a valid URL`);
  }
  if (url.username || url.password) return fail('credentials in target URLs are not supported');
  if (url.hash) return fail('a fragment (#…) has no meaning in a target URL');
  const host = url.hostname;
  if (!host) return fail(`"${text}" names no host`);
  if (!IPV6.test(host) && !HOST_NAME.test(host)) return fail(`"${host}" is not a valid host name or address`);
  const bareHost = host.startsWith('[') ? host.slice(1, -1) : host;
  const isHttp = descriptor.urlTail === 'request-path';
  if (descriptor.urlTail === 'none' && url.search) return fail(`a query has no meaning for ${scheme}:// targets`);
  if (!isHttp && url.pathname !== '' && url.pathname !== '/')
    return fail(`a path has no meaning for ${scheme}:// targets`);
  if (descriptor.noPort !== undefined && url.port)
    return fail(`${scheme}:// targets name a host, not a port (${descriptor.noPort})`);
  if (descriptor.urlTail === 'dns-query') {
    const query = parseDnsQuery(url.searchParams);
    if (!query.ok) return fail(query.error);
    return { ok: true, value: dnsAddressOf({ scheme, host: bareHost, port: 0, path: '', url: '' }, query.value) };
  }
  const fallback = descriptor.defaultPort;
  // URL drops the port when it equals the scheme's default (http:80); read it back from the text.
  const port = url.port ? Number(url.port) : (explicitDefaultPort(text, host) ?? fallback);
  if (port === undefined) return fail(`${scheme}:// targets need a port (${scheme}://host:PORT)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`port ${port} is out of range 1–65535`);
  const path = isHttp ? `${url.pathname || '/'}${url.search}` : '';
  const shownPort = port === fallback ? '' : `:${port}`;
  return { ok: true, value: { scheme, host: bareHost, port, path, url: `${scheme}://${host}${shownPort}${path}` } };
}

/** A `dns://` address asking `query`, its URL written back in canonical form. */
export function dnsAddressOf(address: TargetAddress, query: DnsQuerySpec): TargetAddress {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return { ...address, url: `dns://${host}${dnsQueryText(query)}`, dns: query };
}

function explicitDefaultPort(text: string, host: string): number | undefined {
  const after = text.slice(text.indexOf(host) + host.length);
  const match = /^:(\d+)/.exec(after);
  return match ? Number(match[1]) : undefined;
}

/** `host:port` for display, bracketing IPv6 addresses. */
export function hostPort(address: TargetAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return address.port ? `${host}:${address.port}` : host;
}

/** The Host header an HTTP(S) probe sends (what a sidecar's `hosts` rules see): without a port of 80 or 443. */
export function hostHeader(address: TargetAddress): string {
  return hostPort(address).replace(/:(80|443)$/, '');
}
