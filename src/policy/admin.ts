// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1).
import type { Fields } from './fields.ts';
import { EVERYTHING, readSelector } from './labels.ts';
import { checkPortName, checkPortNumber, readBlock, readProtocol } from './parse-common.ts';
import type { PortSpec } from './ports.ts';
import type { NetworkLayerPolicy, PeerSpec, PodsSpec, Rule, RuleAction } from './spec.ts';
import { PROTOCOLS } from './types.ts';

type Direction = 'ingress' | 'egress';

/**
 * `namespaces: selector` or `pods: {namespaceSelector, podSelector}` (subject and peers). v1alpha2 made
 * `namespaceSelector` optional (`anyNamespace`): absent, it is the empty selector, every namespace.
 */
export function readPods(fields: Fields, what: string, anyNamespace = false): PodsSpec | undefined {
  const namespaces = fields.obj('namespaces');
  const pods = fields.obj('pods');
  if (namespaces && pods) fields.fail(`${what} takes either namespaces or pods, not both`);
  if (namespaces) {
    return {
      kind: 'pods',
      namespaces: { kind: 'selector', selector: readSelector(namespaces) },
      pods: EVERYTHING,
      view: 'pod',
    };
  }
  if (pods) {
    const nsSelector = pods.obj('namespaceSelector');
    const spec: PodsSpec = {
      kind: 'pods',
      namespaces: {
        kind: 'selector',
        selector: nsSelector
          ? readSelector(nsSelector)
          : anyNamespace
            ? EVERYTHING
            : pods.fail('is required', 'namespaceSelector'),
      },
      pods: readSelector(pods.reqObj('podSelector')),
      view: 'pod',
    };
    pods.done();
    return spec;
  }
  return undefined;
}

/** The CRD's list bounds (MinItems/MaxItems): the API server refuses lists outside them. */
export function bounded<T>(
  fields: Fields,
  key: string,
  list: T[] | undefined,
  min: number,
  max: number,
): T[] | undefined {
  if (list && (list.length < min || list.length > max))
    fields.fail(`needs ${min}-${max} items, found ${list.length}`, key);
  return list;
}

/** A priority from 0 (first) to 1000, required (AdminNetworkPolicy, ClusterNetworkPolicy). */
export function readPriority(spec: Fields): number {
  const priority = spec.int('priority') ?? spec.fail('is required', 'priority');
  if (priority < 0 || priority > 1000) spec.fail(`priority ${priority} is not within 0-1000`, 'priority');
  return priority;
}

/**
 * An admin-tier policy's sections: no tier of AdminNetworkPolicy, BaselineAdminNetworkPolicy or
 * ClusterNetworkPolicy isolates, so traffic no rule matches falls through to the next tier.
 */
export function tierSections(
  ingress: readonly Rule[],
  egress: readonly Rule[],
): Pick<NetworkLayerPolicy, 'ingress' | 'egress'> {
  return {
    ingress: ingress.length > 0 ? { isolates: false, rules: ingress } : undefined,
    egress: egress.length > 0 ? { isolates: false, rules: egress } : undefined,
  };
}

function readPeer(peer: Fields, direction: Direction): PeerSpec[] {
  if (direction === 'egress') {
    peer.reject('nodes', 'node peers need node labels and addresses, which the engine does not model');
    peer.reject('domainNames', 'FQDN peers depend on DNS answers at run time');
    const networks = bounded(peer, 'networks', peer.strList('networks'), 1, 25);
    if (networks) {
      if (peer.has('namespaces') || peer.has('pods'))
        peer.fail('a peer takes exactly one of namespaces, pods, networks');
      return networks.map((cidr) => ({ kind: 'cidr', block: readBlock(peer, 'networks', cidr, []), pods: true }));
    }
  }
  const pods = readPods(peer, 'a peer');
  if (!pods)
    peer.fail(direction === 'egress' ? 'a peer needs namespaces, pods or networks' : 'a peer needs namespaces or pods');
  return [pods];
}

function readPort(port: Fields): PortSpec {
  const number = port.obj('portNumber');
  const named = port.str('namedPort');
  const range = port.obj('portRange');
  if ([number, named, range].filter((x) => x !== undefined).length !== 1) {
    port.fail('a port takes exactly one of portNumber, namedPort, portRange');
  }
  if (number) {
    const protocol = readProtocol(number, 'protocol', 'TCP');
    const value = checkPortNumber(number, 'port', number.int('port') ?? number.fail('is required', 'port'));
    number.done();
    return { kind: 'number', protocols: [protocol], from: value, to: value };
  }
  if (range) {
    const protocol = readProtocol(range, 'protocol', 'TCP');
    const start = checkPortNumber(range, 'start', range.int('start') ?? range.fail('is required', 'start'));
    const end = checkPortNumber(range, 'end', range.int('end') ?? range.fail('is required', 'end'));
    if (end < start) range.fail(`end ${end} is below start ${start}`, 'end');
    range.done();
    return { kind: 'number', protocols: [protocol], from: start, to: end };
  }
  // A named port has no protocol of its own: it matches whatever protocol the pod declares.
  return { kind: 'name', protocols: PROTOCOLS, name: checkPortName(port, 'namedPort', named!) };
}

function readRules(spec: Fields, direction: Direction, ref: string, actions: readonly string[]): Rule[] {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  return (
    spec.objList(direction, (rule, index) => {
      const name = rule.str('name');
      if (name !== undefined && name.length > 100) rule.fail('is longer than 100 characters', 'name');
      const action = rule.reqStr('action');
      if (!actions.includes(action)) rule.fail(`unknown action "${action}" (expected ${actions.join(', ')})`, 'action');
      const peers = (
        bounded(
          rule,
          peersKey,
          rule.objList(peersKey, (peer) => readPeer(peer, direction)),
          1,
          100,
        ) ?? []
      ).flat();
      if (peers.length === 0) rule.fail(`needs at least one peer`, peersKey);
      // `ports: []` is refused by the API (MinItems 1); absent or null means every port.
      const ports = bounded(rule, 'ports', rule.objList('ports', readPort), 1, 100);
      if (ports?.some((p) => p.kind === 'name') && peers.some((p) => p.kind === 'cidr')) {
        rule.fail(
          'a named port cannot be used with networks peers: an address outside the cluster has no named ports (the API refuses it)',
          'ports',
        );
      }
      return {
        ref: `${ref} ${direction}[${index}]${name ? ` "${name}"` : ''}`,
        action: action.toLowerCase() as RuleAction,
        peers,
        ports: ports ? { kind: 'some' as const, specs: ports } : { kind: 'all' as const },
      };
    }) ?? []
  );
}

/** Reads an AdminNetworkPolicy (`admin`) or BaselineAdminNetworkPolicy (`baseline`) spec. */
export function readAdminPolicy(
  spec: Fields,
  tier: 'admin' | 'baseline',
  ref: string,
  source: string | undefined,
): NetworkLayerPolicy {
  const priority = tier === 'admin' ? readPriority(spec) : 0;
  const subjectFields = spec.reqObj('subject');
  const subject = readPods(subjectFields, 'subject') ?? subjectFields.fail('needs namespaces or pods');
  subjectFields.done();
  const actions = tier === 'admin' ? ['Allow', 'Deny', 'Pass'] : ['Allow', 'Deny'];
  const ingress = readRules(spec, 'ingress', ref, actions);
  const egress = readRules(spec, 'egress', ref, actions);
  if (ingress.length > 100) spec.fail(`needs at most 100 rules, found ${ingress.length}`, 'ingress');
  if (egress.length > 100) spec.fail(`needs at most 100 rules, found ${egress.length}`, 'egress');
  spec.done();
  return {
    layer: 'network',
    tier,
    ref,
    source,
    priority,
    subject,
    ...tierSections(ingress, egress),
  };
}
