// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2): the L3/L4 subset.
import type { Fields } from './fields.ts';
import { EVERYTHING, readSelector, type Selector, selectorKeys } from './labels.ts';
import { checkPortName, checkPortNumber, readBlock } from './parse-common.ts';
import type { PortSpec } from './ports.ts';
import type { DirectionRules, NetworkLayerPolicy, PeerSpec, PodsSpec, Rule, RuleAction } from './spec.ts';
import { PROTOCOLS, type Protocol } from './types.ts';

/** Label key Cilium gives every endpoint for its namespace. */
export const CILIUM_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace labels Cilium copies onto endpoints. */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const CILIUM_SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
export const CILIUM_CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

const ENTITIES: Record<string, PeerSpec & { kind: 'entity' }> = {
  all: { kind: 'entity', entity: 'all' },
  cluster: { kind: 'entity', entity: 'cluster' },
  world: { kind: 'entity', entity: 'world' },
  'world-ipv4': { kind: 'entity', entity: 'world' },
  'world-ipv6': { kind: 'entity', entity: 'world' },
};

/** Cilium label keys carry a source prefix (`k8s:`, `any:`); other sources are not pods. */
function ciliumKey(key: string, fail: (detail: string) => never): string {
  const colon = key.indexOf(':');
  if (colon < 0) return key;
  const prefix = key.slice(0, colon);
  if (prefix === 'k8s' || prefix === 'any') return key.slice(colon + 1);
  return fail(`label source "${prefix}:" is not supported (only k8s: and any: select pods)`);
}

function readEndpointSelector(fields: Fields): Selector {
  return readSelector(fields, ciliumKey);
}

/**
 * In a namespaced policy, a peer selector means "this namespace" unless it names the namespace
 * itself or namespace labels (as Cilium's own translation of selectors does).
 */
function endpoints(selector: Selector, namespace: string | undefined): PodsSpec {
  const keys = [...selectorKeys(selector)];
  const crossNamespace =
    namespace === undefined ||
    keys.some((k) => k === CILIUM_NAMESPACE_KEY || k.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX));
  return {
    kind: 'pods',
    namespaces: crossNamespace ? { kind: 'selector', selector: EVERYTHING } : { kind: 'names', names: [namespace] },
    pods: selector,
    view: 'cilium',
  };
}

function readPorts(rule: Fields): PortSpec[] | undefined {
  const lists = rule.objList('toPorts', (entry) => {
    entry.reject('rules', 'L7 rules (HTTP, Kafka, DNS) decide per request, beyond L3/L4');
    for (const key of ['terminatingTLS', 'originatingTLS', 'serverNames', 'listener']) {
      entry.reject(key, 'TLS and listener settings are L7');
    }
    const ports = entry.objList('ports', (port): PortSpec => {
      const raw = port.raw('port');
      const protoText = port.str('protocol') ?? 'ANY';
      if (protoText !== 'ANY' && !PROTOCOLS.includes(protoText as Protocol)) {
        port.fail(`unsupported protocol "${protoText}" (expected TCP, UDP, SCTP or ANY)`, 'protocol');
      }
      const protocols = protoText === 'ANY' ? PROTOCOLS : [protoText as Protocol];
      const endPort = port.int('endPort');
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string') return port.fail('is required (a number or a name)', 'port');
      if (/^\d+$/.test(text)) {
        const from = Number(text);
        // Port 0 means every port of the protocol(s).
        if (from === 0) return { kind: 'number', protocols, from: 1, to: 65535 };
        checkPortNumber(port, 'port', from);
        const to = endPort ?? from;
        if (endPort !== undefined && endPort !== 0) {
          checkPortNumber(port, 'endPort', endPort);
          if (endPort < from) port.fail(`endPort ${endPort} is below port ${from}`, 'endPort');
        }
        return { kind: 'number', protocols, from, to: to === 0 ? from : to };
      }
      if (endPort !== undefined) port.fail('endPort cannot be used with a named port', 'endPort');
      // Cilium compares port names case-insensitively (it lowercases them, like IANA service names).
      return { kind: 'name', protocols, name: checkPortName(port, 'port', text.toLowerCase()) };
    });
    if (!ports || ports.length === 0) return entry.fail('needs at least one port', 'ports');
    if (ports.length > 40) entry.fail(`Cilium allows at most 40 ports in one entry, found ${ports.length}`, 'ports');
    return ports;
  });
  return lists?.flat();
}

function readRule(
  rule: Fields,
  dir: 'ingress' | 'egress',
  namespace: string | undefined,
): Omit<Rule, 'ref' | 'action'> {
  const p = dir === 'ingress' ? 'from' : 'to';
  for (const key of ['Requires', 'Nodes', 'Groups'])
    rule.reject(`${p}${key}`, `${p}${key} is outside the supported subset`);
  rule.reject('icmps', 'ICMP rules are outside the supported subset');
  rule.reject('authentication', 'mutual authentication depends on the agent, not the policy alone');
  if (dir === 'egress') {
    rule.reject('toServices', 'service peers are outside the supported subset (select the backends with toEndpoints)');
    rule.reject('toFQDNs', 'FQDN peers depend on DNS answers at run time');
  }
  const peers: PeerSpec[] = [];
  let hasL3 = false;
  const eps = rule.objList(`${p}Endpoints`, (sel) => endpoints(readEndpointSelector(sel), namespace));
  const entities = rule.list(`${p}Entities`, (item) => {
    const spec = typeof item === 'string' ? ENTITIES[item] : undefined;
    if (!spec)
      rule.fail(
        `entity ${JSON.stringify(item)} is not supported (supported: ${Object.keys(ENTITIES).join(', ')})`,
        `${p}Entities`,
      );
    return spec;
  });
  const cidrs = rule
    .strList(`${p}CIDR`)
    ?.map((c): PeerSpec => ({ kind: 'cidr', block: readBlock(rule, `${p}CIDR`, c, []), pods: false }));
  const cidrSets = rule.objList(`${p}CIDRSet`, (set): PeerSpec => {
    set.reject('cidrGroupRef', 'CiliumCIDRGroup references are outside the supported subset');
    set.reject('cidrGroupSelector', 'CiliumCIDRGroup selectors are outside the supported subset');
    const cidr = set.reqStr('cidr');
    return { kind: 'cidr', block: readBlock(set, 'cidr', cidr, set.strList('except') ?? []), pods: false };
  });
  for (const list of [eps, entities, cidrs, cidrSets]) {
    if (list) {
      hasL3 = true;
      peers.push(...list);
    }
  }
  // Cilium refuses a rule that mixes peer kinds (e.g. endpoints and CIDRs); the policy is then not applied at all.
  const kinds = [
    [`${p}Endpoints`, eps],
    [`${p}Entities`, entities],
    [`${p}CIDR`, cidrs],
    [`${p}CIDRSet`, cidrSets],
  ].filter(([, list]) => (list as unknown[] | undefined)?.length);
  if (kinds.length > 1)
    rule.fail(
      `Cilium refuses a rule combining ${kinds.map(([k]) => k).join(' and ')}; write one rule per peer kind`,
      kinds[1]![0] as string,
    );
  const ports = readPorts(rule);
  // A rule with only toPorts allows those ports from/to anything; a rule with neither
  // selects nothing (Cilium's `- {}` idiom for "default deny, allow nothing").
  const selected: Rule['peers'] = hasL3 ? peers : ports ? 'all' : [];
  return { peers: selected, ports: ports ? { kind: 'some', specs: ports } : { kind: 'all' } };
}

function readSection(
  spec: Fields,
  dir: 'ingress' | 'egress',
  namespace: string | undefined,
  ref: string,
  defaultDeny: boolean | undefined,
): DirectionRules | undefined {
  const read = (key: string, action: RuleAction): Rule[] =>
    spec.objList(key, (rule, index) => ({
      ref: `${ref} ${key}[${index}]`,
      action,
      ...readRule(rule, dir, namespace),
    })) ?? [];
  const rules = [...read(dir, 'allow'), ...read(`${dir}Deny`, 'deny')];
  // Cilium: a direction is default-deny when the policy has rules for it, unless told otherwise.
  const isolates = defaultDeny ?? rules.length > 0;
  return rules.length > 0 || isolates ? { isolates, rules } : undefined;
}

/** Reads the `spec` of a CiliumNetworkPolicy (namespace given) or clusterwide one (undefined). */
export function readCiliumPolicy(
  spec: Fields,
  namespace: string | undefined,
  ref: string,
  source: string | undefined,
): NetworkLayerPolicy {
  spec.ignore('description', 'labels');
  spec.reject('nodeSelector', 'node (host) policies are outside the supported subset');
  const subjectFields = spec.reqObj('endpointSelector');
  const subjectSelector = readEndpointSelector(subjectFields);
  const named = subjectSelector.requirements.find((r) => r.key === CILIUM_NAMESPACE_KEY);
  if (
    namespace !== undefined &&
    named &&
    !(named.operator === 'In' && named.values.length === 1 && named.values[0] === namespace)
  ) {
    // Cilium overrides it: a namespaced policy only ever selects pods of its own namespace.
    subjectFields.fail(
      `${CILIUM_NAMESPACE_KEY} in the endpoint selector of a namespaced policy must be its own namespace "${namespace}"`,
    );
  }
  const subject = endpoints(subjectSelector, namespace);
  // The endpoint selector of a namespaced policy only ever selects pods of its namespace.
  const scopedSubject: PodsSpec =
    namespace === undefined ? subject : { ...subject, namespaces: { kind: 'names', names: [namespace] } };
  const dd = spec.obj('enableDefaultDeny');
  const ddIngress = dd?.bool('ingress');
  const ddEgress = dd?.bool('egress');
  dd?.done();
  const ingress = readSection(spec, 'ingress', namespace, ref, ddIngress);
  const egress = readSection(spec, 'egress', namespace, ref, ddEgress);
  spec.done();
  return { layer: 'network', tier: 'network', ref, source, priority: 0, subject: scopedSubject, ingress, egress };
}
