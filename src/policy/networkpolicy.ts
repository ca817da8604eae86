// Kubernetes NetworkPolicy (networking.k8s.io/v1) read into the engine's rules, field by field.
import type { Fields } from './fields.ts';
import { EVERYTHING, readSelector } from './labels.ts';
import { checkPortNumber, readBlock, readPortRef, readProtocol } from './parse-common.ts';
import type { PortSelection, PortSpec } from './ports.ts';
import type { DirectionRules, NetworkLayerPolicy, PeerSpec, PodsSpec, Rule } from './spec.ts';

type Direction = 'ingress' | 'egress';

/** Reads one `from`/`to` peer: ipBlock alone, or podSelector AND namespaceSelector. */
function readPeer(peer: Fields, namespace: string): PeerSpec {
  const ipBlock = peer.obj('ipBlock');
  const podFields = peer.obj('podSelector');
  const nsFields = peer.obj('namespaceSelector');
  if (ipBlock) {
    if (podFields || nsFields)
      peer.fail('ipBlock cannot be combined with podSelector or namespaceSelector in one peer');
    const cidr = ipBlock.reqStr('cidr');
    const except = ipBlock.strList('except') ?? [];
    const block = readBlock(ipBlock, 'cidr', cidr, except);
    ipBlock.done();
    return { kind: 'cidr', block, pods: true };
  }
  if (!podFields && !nsFields) peer.fail('a peer needs podSelector, namespaceSelector or ipBlock');
  const pods = podFields ? readSelector(podFields) : EVERYTHING;
  // Without namespaceSelector the peer means pods of the policy's own namespace.
  const spec: PodsSpec = {
    kind: 'pods',
    namespaces: nsFields
      ? { kind: 'selector', selector: readSelector(nsFields) }
      : { kind: 'names', names: [namespace] },
    pods,
    view: 'pod',
  };
  return spec;
}

/** Reads one NetworkPolicyPort: number, name, range (endPort) or protocol alone. */
function readPort(port: Fields): PortSpec {
  const protocol = readProtocol(port, 'protocol', 'TCP');
  const ref = readPortRef(port, 'port');
  const endPort = port.int('endPort');
  if (ref === undefined) {
    if (endPort !== undefined) port.fail('endPort needs a numeric port', 'endPort');
    return { kind: 'number', protocols: [protocol], from: 1, to: 65535 };
  }
  if (typeof ref === 'string') {
    if (endPort !== undefined) port.fail('endPort cannot be used with a named port', 'endPort');
    return { kind: 'name', protocols: [protocol], name: ref };
  }
  if (endPort !== undefined) {
    checkPortNumber(port, 'endPort', endPort);
    if (endPort < ref) port.fail(`endPort ${endPort} is below port ${ref}`, 'endPort');
  }
  return { kind: 'number', protocols: [protocol], from: ref, to: endPort ?? ref };
}

function readRules(spec: Fields, direction: Direction, namespace: string, ref: string): Rule[] {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  return (
    spec.objList(direction, (rule, index) => {
      const peers = rule.objList(peersKey, (peer) => readPeer(peer, namespace));
      const ports = rule.objList('ports', readPort);
      // Absent or empty `from`/`to` and `ports` mean "all".
      const selection: PortSelection = ports && ports.length > 0 ? { kind: 'some', specs: ports } : { kind: 'all' };
      return {
        ref: `${ref} ${direction}[${index}]`,
        action: 'allow' as const,
        peers: peers && peers.length > 0 ? peers : 'all',
        ports: selection,
      };
    }) ?? []
  );
}

/** Reads a NetworkPolicy's `spec`. `warnings` receives rules the API itself ignores. */
export function readNetworkPolicy(
  spec: Fields,
  meta: { name: string; namespace: string },
  ref: string,
  source: string | undefined,
  warnings: string[],
): NetworkLayerPolicy {
  // Optional in the API: absent or null, it is the empty selector (every pod of the namespace).
  const podFields = spec.obj('podSelector');
  const podSelector = podFields ? readSelector(podFields) : EVERYTHING;
  const ingressRules = readRules(spec, 'ingress', meta.namespace, ref);
  const egressRules = readRules(spec, 'egress', meta.namespace, ref);
  const declared = spec.strList('policyTypes');
  for (const t of declared ?? []) {
    if (t !== 'Ingress' && t !== 'Egress')
      spec.fail(`unknown policy type "${t}" (expected Ingress or Egress)`, 'policyTypes');
  }
  // The API's defaulting (also for an empty list): Ingress always, Egress only when there are egress rules.
  const types =
    declared && declared.length > 0 ? declared : egressRules.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  const section = (type: string, rules: Rule[], direction: Direction): DirectionRules | undefined => {
    if (types.includes(type)) return { isolates: true, rules };
    if (rules.length > 0)
      warnings.push(`${ref}: ${direction} rules are ignored because policyTypes does not list ${type}`);
    return undefined;
  };
  spec.done();
  return {
    layer: 'network',
    tier: 'network',
    ref,
    source,
    priority: 0,
    subject: { kind: 'pods', namespaces: { kind: 'names', names: [meta.namespace] }, pods: podSelector, view: 'pod' },
    ingress: section('Ingress', ingressRules, 'ingress'),
    egress: section('Egress', egressRules, 'egress'),
  };
}
