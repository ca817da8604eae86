// Which proxy reaches the API server, as kubectl decides it: the kubeconfig cluster's `proxy-url`, else
// HTTPS_PROXY/https_proxy (HTTP_PROXY for an http:// server) unless NO_PROXY/no_proxy names the host
// (Go's net/http ProxyFromEnvironment, which client-go uses), and never for loopback.

import { isIP } from 'node:net';

/** The first of the variables that is set and not empty, upper case first (as Go reads them). */
function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return '';
}

/** `proxy:3128` is taken as `http://proxy:3128`, as Go does with a proxy that has no scheme. */
function proxyUrl(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}

/** An IPv4 address as a number, or an IPv6 one as a bigint, for CIDR matching. */
function ipBits(ip: string): { bits: bigint; width: number } {
  if (isIP(ip) === 4) return { bits: ip.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n), width: 32 };
  const [head = '', tail = ''] = ip.split('::');
  const groups = (text: string): string[] => (text ? text.split(':') : []);
  const [left, right] = [groups(head), groups(tail)];
  const all = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return { bits: all.reduce((n, group) => (n << 16n) | BigInt(Number.parseInt(group, 16)), 0n), width: 128 };
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', lengthText = ''] = cidr.split('/');
  if (isIP(base) !== isIP(ip)) return false;
  const [a, b] = [ipBits(ip), ipBits(base)];
  const shift = BigInt(a.width - Number(lengthText));
  return a.bits >> shift === b.bits >> shift;
}

const isLoopback = (ip: string): boolean => (isIP(ip) === 4 ? ip.startsWith('127.') : ipBits(ip).bits === 1n);

/**
 * True when NO_PROXY excludes host:port. Entries are comma-separated: `*` (everything), an IP or a
 * CIDR block, or a domain, which matches itself and its subdomains (`.example.com`: subdomains only);
 * any entry may end in `:port`.
 */
export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (isIP(host) && entry.split('/')[0] && isIP(entry.split('/')[0] ?? '') && inCidr(host, entry)) return true;
      continue;
    }
    let [name, entryPort] = [entry, ''];
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) [name, entryPort] = [bracketed[1] ?? '', bracketed[2] ?? ''];
    else if (!isIP(entry) && entry.includes(':'))
      [name, entryPort] = [entry.slice(0, entry.lastIndexOf(':')), entry.slice(entry.lastIndexOf(':') + 1)];
    if (entryPort && entryPort !== port) continue;
    if (isIP(name)) {
      if (name === host) return true;
      continue;
    }
    const domain = name.startsWith('*.') ? name.slice(1) : name;
    if (domain.startsWith('.') ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/**
 * The proxy the environment names for `server` (an https:// or http:// URL), or undefined for a
 * direct connection. A kubeconfig cluster's `proxy-url` wins over it (the caller checks that first).
 */
export function proxyFor(server: string, env: NodeJS.ProcessEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const https = url.protocol === 'https:';
  const proxy = https ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || (isIP(host) && isLoopback(host))) return undefined;
  const port = url.port || (https ? '443' : '80');
  if (noProxyMatches(envAny(env, 'NO_PROXY', 'no_proxy'), host, port)) return undefined;
  return proxyUrl(proxy);
}
