// Istio AuthorizationPolicy and PeerAuthentication (security.istio.io v1/v1beta1): L4, and HTTP methods, paths, hosts.
import type { Fields } from './fields.ts';
import { type Selector, selectorFromLabels } from './labels.ts';
import { checkPortNumber, readBlock } from './parse-common.ts';
import type { AuthzOperation, AuthzPolicy, AuthzRule, AuthzSource, MtlsMode, PeerAuthPolicy } from './spec.ts';
import type { HttpFields } from './types.ts';

const L7 = 'request principals (JWT) and remote IP blocks (X-Forwarded-For) are outside the supported subset';

/**
 * Istio's WorkloadSelector has only matchLabels. Without labels (absent, null, `{}`) it selects
 * no workload in particular: the policy is namespace-wide (mesh-wide in the root namespace).
 */
function readWorkloadSelector(spec: Fields): Selector | null {
  const fields = spec.obj('selector');
  if (!fields) return null;
  const labels = fields.strMap('matchLabels') ?? {};
  fields.done();
  return Object.keys(labels).length === 0 ? null : selectorFromLabels(labels);
}

function readPatterns(fields: Fields, key: string): string[] | undefined {
  const values = fields.strList(key);
  for (const v of values ?? []) {
    if (v === '') fields.fail('an empty value is refused by Istio', key);
    const inner = v.slice(1, -1);
    if (v !== '*' && (inner.includes('*') || (v.startsWith('*') && v.endsWith('*')))) {
      fields.fail(`"${v}": only exact, prefix*, *suffix or * are valid`, key);
    }
  }
  return values;
}

function readPortStrings(fields: Fields, key: string): number[] | undefined {
  return fields.list(key, (item) => {
    const text = typeof item === 'number' ? String(item) : item;
    if (typeof text !== 'string' || !/^\d+$/.test(text))
      fields.fail(`expected port numbers, found ${JSON.stringify(item)}`, key);
    return checkPortNumber(fields, key, Number(text));
  });
}

function readSource(source: Fields): AuthzSource {
  for (const key of ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'])
    source.reject(key, L7);
  // Istio refuses a source with no field at all (it would not say whom it means).
  if (source.keys().every((k) => !source.has(k))) source.fail('must not be empty (Istio refuses it)');
  const blocks = (key: string) =>
    source.strList(key)?.map((c) => readBlock(source, key, c.includes('/') ? c : hostCidr(c), []));
  const out: { [K in keyof AuthzSource]: AuthzSource[K] | undefined } = {
    principals: readPatterns(source, 'principals'),
    notPrincipals: readPatterns(source, 'notPrincipals'),
    namespaces: readPatterns(source, 'namespaces'),
    notNamespaces: readPatterns(source, 'notNamespaces'),
    ipBlocks: blocks('ipBlocks'),
    notIpBlocks: blocks('notIpBlocks'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as AuthzSource;
}

/** Istio accepts single addresses in ipBlocks. */
function hostCidr(address: string): string {
  return address.includes(':') ? `${address}/128` : `${address}/32`;
}

/** The HTTP-only fields, in the order Istio's model.New reads them; path templates are refused. */
const HTTP_KEYS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

function readHttpFields(op: Fields): HttpFields | undefined {
  const out: Record<string, readonly string[]> = {};
  for (const key of HTTP_KEYS) {
    // Before the pattern check, which would read `{*}` as a misplaced wildcard. Istio refuses other braces.
    const raw = op.raw(key);
    if (
      (key === 'paths' || key === 'notPaths') &&
      Array.isArray(raw) &&
      raw.some((v) => typeof v === 'string' && /[{}]/.test(v))
    )
      op.fail('path templates ({*}, {**}) are outside the supported subset', key);
    const values = readPatterns(op, key);
    // A request line or header never holds them, so such a value could never match.
    if (values?.some((v) => [...v].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)))
      op.fail('spaces and control characters never appear in an HTTP method, path or host', key);
    if (values) out[key] = values;
  }
  return Object.keys(out).length > 0 ? (out as HttpFields) : undefined;
}

function readOperation(op: Fields): AuthzOperation {
  if (op.keys().every((k) => !op.has(k))) op.fail('must not be empty (Istio refuses it)');
  const ports = readPortStrings(op, 'ports');
  const notPorts = readPortStrings(op, 'notPorts');
  const http = readHttpFields(op);
  return { ...(ports ? { ports } : {}), ...(notPorts ? { notPorts } : {}), ...(http ? { http } : {}) };
}

function readRule(rule: Fields, ref: string): AuthzRule {
  rule.reject('when', 'conditions (`when`) are outside the supported subset');
  // Istio refuses `from` entries without a source and `to` entries without an operation.
  const from = rule.objList('from', (f) => {
    const source = f.reqObj('source');
    const out = readSource(source);
    source.done();
    return out;
  });
  const to = rule.objList('to', (t) => {
    const op = t.reqObj('operation');
    const out = readOperation(op);
    op.done();
    return out;
  });
  // Absent or empty lists match anything.
  return { ref, from: from && from.length > 0 ? from : 'any', to: to && to.length > 0 ? to : 'any' };
}

/** Reads an AuthorizationPolicy spec. */
export function readAuthorizationPolicy(
  spec: Fields,
  namespace: string,
  ref: string,
  source: string | undefined,
): AuthzPolicy {
  spec.reject('targetRef', 'targetRef (gateways, waypoints) is outside the supported subset; use selector');
  spec.reject('targetRefs', 'targetRefs (gateways, waypoints) is outside the supported subset; use selector');
  spec.reject('provider', 'CUSTOM providers decide outside the policy');
  const action = spec.str('action') ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY' && action !== 'AUDIT') {
    spec.fail(
      `action ${action} is not supported (ALLOW, DENY and AUDIT are; CUSTOM decides outside the policy)`,
      'action',
    );
  }
  const selector = readWorkloadSelector(spec);
  const rules = spec.objList('rules', (rule, index) => readRule(rule, `${ref} rules[${index}]`)) ?? [];
  // Absent, null and [] are one thing in Istio's proto: no rules. An ALLOW policy then allows nothing.
  if (action === 'DENY' && rules.length === 0)
    spec.fail('a DENY policy without rules is refused by Istio (add a rule `{}` to deny everything)', 'rules');
  spec.done();
  return { layer: 'authz', ref, source, namespace, action, selector, rules };
}

const MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

function readMode(fields: Fields): MtlsMode | 'UNSET' {
  const mode = fields.str('mode') ?? 'UNSET';
  if (!MODES.includes(mode)) fields.fail(`unknown mode "${mode}" (expected ${MODES.join(', ')})`, 'mode');
  fields.done();
  return mode as MtlsMode | 'UNSET';
}

/** Reads a PeerAuthentication spec. */
export function readPeerAuthentication(
  spec: Fields,
  namespace: string,
  ref: string,
  source: string | undefined,
): PeerAuthPolicy {
  const selector = readWorkloadSelector(spec);
  const mtls = spec.obj('mtls');
  const mode = mtls ? readMode(mtls) : 'UNSET';
  const portModes = new Map<number, MtlsMode | 'UNSET'>();
  const ports = spec.obj('portLevelMtls');
  if (ports) {
    if (!selector)
      spec.fail(
        'portLevelMtls needs a selector with matchLabels (Istio refuses it on a namespace- or mesh-wide policy)',
        'portLevelMtls',
      );
    for (const key of ports.keys()) {
      if (!/^\d+$/.test(key)) ports.fail('expected a port number', key);
      portModes.set(checkPortNumber(ports, key, Number(key)), readMode(ports.reqObj(key)));
    }
  }
  spec.done();
  return { layer: 'peerauth', ref, source, namespace, selector, mode, portModes };
}
