// HAProxy rules of a sidecar's HTTP port from the engine's request policies: methods, paths, hosts per source.
import type { HttpCondition, HttpFields, RequestPolicy } from '../policy/index.ts';

/** Sources whose requests one policy judges (the engine's `requestPolicy`, identical for all of them). */
export interface RequestAccess {
  readonly sources: readonly string[];
  readonly policy: RequestPolicy;
}

/** What Envoy's RBAC HTTP filter answers a denied request. */
export const RBAC_DENY = 'http-request deny deny_status 403 content-type text/plain string "RBAC: access denied"';

/** Groups sources by identical policy (one ACL per group), in first-seen order. */
export function groupRequests(entries: readonly { source: string; policy: RequestPolicy }[]): RequestAccess[] {
  const groups = new Map<string, { sources: string[]; policy: RequestPolicy }>();
  for (const { source, policy } of entries) {
    const key = JSON.stringify(policy);
    const group = groups.get(key) ?? { sources: [], policy };
    group.sources.push(source);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The sample each field reads, as Envoy's RBAC matchers do: the method and the URL path without its
 * query compared as written, the Host header (`:authority`) ignoring case (Istio's HostMatcher).
 */
const FETCH: Record<keyof HttpFields, string> = {
  methods: 'method',
  notMethods: 'method',
  paths: 'path',
  notPaths: 'path',
  hosts: 'req.hdr(host) -i',
  notHosts: 'req.hdr(host) -i',
};

/** A value in HAProxy's strong quotes (a quote closes, is escaped, and reopens, as in a shell). */
export const quote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/** ACL lines matching any of the Istio patterns (exact, `prefix*`, `*suffix`, `*`) under one name: HAProxy ORs them. */
function patternAcl(name: string, fetch: string, patterns: readonly string[]): string[] {
  const by = { str: [] as string[], beg: [] as string[], end: [] as string[] };
  let any = false;
  for (const p of patterns) {
    if (p === '*') any = true;
    else if (p.endsWith('*')) by.beg.push(p.slice(0, -1));
    else if (p.startsWith('*')) by.end.push(p.slice(1));
    else by.str.push(p);
  }
  const lines = Object.entries(by)
    .filter(([, values]) => values.length > 0)
    .map(([method, values]) => `  acl ${name} ${fetch} -m ${method} ${values.map(quote).join(' ')}`);
  // `*` is "present" (HeaderMatcher) or `.+` (a path): a request always has a method, a path and a host.
  if (any) lines.push(`  acl ${name} ${fetch} -m found`);
  return lines;
}

/** The ACLs of one condition and the terms that hold when all of its fields do. */
function condition(prefix: string, c: HttpCondition): { acls: string[]; terms: string[] } {
  const acls: string[] = [];
  const terms: string[] = [];
  for (const [key, patterns] of Object.entries(c.fields) as [keyof HttpFields, readonly string[]][]) {
    const name = `${prefix}_${key}`;
    acls.push(...patternAcl(name, FETCH[key], patterns));
    terms.push(key.startsWith('not') ? `!${name}` : name);
  }
  return { acls, terms };
}

/**
 * The `http-request` rules of one HTTP frontend: per group of sources, a 403 when a DENY condition
 * holds, then a 403 unless an ALLOW condition holds (none when no ALLOW policy applies). Groups hold
 * disjoint sources, so one transaction variable records the ALLOW match.
 */
export function requestRules(groups: readonly RequestAccess[]): string[] {
  const lines: string[] = [];
  groups.forEach((group, g) => {
    const src = `rq${g}`;
    lines.push(`  acl ${src} src ${group.sources.join(' ')}`);
    group.policy.deny.forEach((c, i) => {
      const { acls, terms } = condition(`${src}_deny${i}`, c);
      lines.push(`  # ${c.ref} (DENY)`, ...acls, `  ${RBAC_DENY} if ${[src, ...terms].join(' ')}`);
    });
    if (group.policy.allow === 'all') return;
    group.policy.allow.forEach((c, i) => {
      const { acls, terms } = condition(`${src}_allow${i}`, c);
      lines.push(
        `  # ${c.ref} (ALLOW)`,
        ...acls,
        `  http-request set-var(txn.rbac_allowed) bool(true) if ${[src, ...terms].join(' ')}`,
      );
    });
    lines.push(`  ${RBAC_DENY} if ${src} !{ var(txn.rbac_allowed) -m bool }`);
  });
  return lines;
}
