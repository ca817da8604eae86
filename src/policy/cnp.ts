// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, network-policy-api v0.2.0): tiers Admin and
// Baseline, actions Accept/Deny/Pass, `protocols` matches. Validated as the CRD's schema and CEL rules do.
import { bounded, readPods, readPriority, tierSections } from './admin.ts';
import type { Fields } from './fields.ts';
import { readDomainNames } from './fqdn.ts';
import { readNodesPeer } from './nodes.ts';
import { checkPortNumber, readBlock } from './parse-common.ts';
import type { PortSpec } from './ports.ts';
import type { NetworkLayerPolicy, PeerSpec, Rule, RuleAction } from './spec.ts';
import { PROTOCOLS, type Protocol } from './types.ts';

type Direction = 'ingress' | 'egress';

/** The CRD's bound on rules per direction, peers per rule, protocols per rule and CIDRs per peer. */
const MAX = 25;
const ACTIONS: Record<string, RuleAction> = { Accept: 'allow', Deny: 'deny', Pass: 'pass' };
const TIERS = { Admin: 'admin', Baseline: 'baseline' } as const;

/** Every peer and protocol entry sets exactly one field (MinProperties/MaxProperties 1). */
function exactlyOne(fields: Fields, what: string, keys: readonly string[]): void {
  const set = fields.keys().filter((k) => fields.has(k));
  const unknown = set.find((k) => !keys.includes(k));
  if (unknown !== undefined)
    fields.fail('unsupported field: the engine does not evaluate it and it could change the verdict', unknown);
  if (set.length !== 1) fields.fail(`${what} sets exactly one of ${keys.join(', ')}, found ${set.length}`);
}

function readPeer(peer: Fields, direction: Direction, action: RuleAction): PeerSpec[] {
  const keys =
    direction === 'egress' ? ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] : ['namespaces', 'pods'];
  exactlyOne(peer, 'a peer', keys);
  if (direction === 'egress' && peer.has('domainNames')) return [readDomainNames(peer, action)];
  if (direction === 'egress' && peer.has('nodes')) return [readNodesPeer(peer)];
  if (direction === 'egress' && peer.has('networks')) {
    const networks = bounded(peer, 'networks', peer.strList('networks'), 1, MAX) ?? [];
    const seen = new Set<string>();
    return networks.map((cidr): PeerSpec => {
      if (cidr.length > 43) peer.fail(`"${cidr}" is longer than 43 characters`, 'networks');
      if (seen.has(cidr)) peer.fail(`duplicate value "${cidr}" (the list is a set)`, 'networks');
      seen.add(cidr);
      const block = readBlock(peer, 'networks', cidr, []);
      return { kind: 'cidr', block, pods: true };
    });
  }
  return [readPods(peer, 'a peer', true) ?? peer.fail(`a peer needs ${keys.join(' or ')}`)];
}

/** `destinationPort`: `number` or `range` {start < end}. */
function readDestinationPort(fields: Fields, protocol: Protocol): PortSpec {
  const port = fields.reqObj('destinationPort');
  exactlyOne(port, 'destinationPort', ['number', 'range']);
  const number = port.int('number');
  const range = port.obj('range');
  fields.done();
  if (number !== undefined) {
    port.done();
    const value = checkPortNumber(port, 'number', number);
    return { kind: 'number', protocols: [protocol], from: value, to: value };
  }
  const r = range!;
  const start = checkPortNumber(r, 'start', r.int('start') ?? r.fail('is required', 'start'));
  const end = checkPortNumber(r, 'end', r.int('end') ?? r.fail('is required', 'end'));
  r.done();
  port.done();
  if (start >= end) r.fail(`Start port must be less than End port (start ${start}, end ${end})`);
  return { kind: 'number', protocols: [protocol], from: start, to: end };
}

function readProtocolMatch(entry: Fields): PortSpec {
  exactlyOne(entry, 'a protocols entry', ['tcp', 'udp', 'sctp', 'destinationNamedPort']);
  const named = entry.str('destinationNamedPort');
  // The CRD puts no pattern on the name: one no container port can carry (e.g. upper case) never matches.
  if (named === '') entry.fail('is empty: it names no port', 'destinationNamedPort');
  // A named port has no protocol of its own: it matches whatever protocol the pod declares.
  if (named !== undefined) return { kind: 'name', protocols: PROTOCOLS, name: named };
  for (const protocol of PROTOCOLS) {
    const fields = entry.obj(protocol.toLowerCase());
    if (fields) return readDestinationPort(fields, protocol);
  }
  return entry.fail('needs tcp, udp, sctp or destinationNamedPort');
}

function readRules(spec: Fields, direction: Direction, ref: string, tie: string): Rule[] {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const rules =
    spec.objList(direction, (rule, index) => {
      const name = rule.str('name');
      if (name !== undefined && name.length > 100) rule.fail('is longer than 100 characters', 'name');
      const action = rule.reqStr('action');
      const mapped =
        ACTIONS[action] ?? rule.fail(`unsupported value "${action}" (expected Accept, Deny, Pass)`, 'action');
      const peerLists =
        rule.objList(peersKey, (peer) => readPeer(peer, direction, mapped)) ?? rule.fail('is required', peersKey);
      const peers = (bounded(rule, peersKey, peerLists, 1, MAX) ?? []).flat();
      // `protocols: []` is refused (MinItems 1); absent or null means every protocol and port.
      const protocols = bounded(rule, 'protocols', rule.objList('protocols', readProtocolMatch), 1, MAX);
      if (
        protocols?.some((p) => p.kind === 'name') &&
        peers.some((p) => p.kind === 'cidr' || p.kind === 'domains' || p.kind === 'nodes')
      ) {
        rule.fail(
          'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
          'protocols',
        );
      }
      return {
        ref: `${ref} ${direction}[${index}]${name ? ` "${name}"` : ''}`,
        action: mapped,
        peers,
        ports: protocols ? { kind: 'some' as const, specs: protocols } : { kind: 'all' as const },
        tie,
        policy: ref,
      };
    }) ?? [];
  if (rules.length > MAX) spec.fail(`needs at most ${MAX} rules, found ${rules.length}`, direction);
  return rules;
}

/** Reads a ClusterNetworkPolicy spec: its tier, priority, subject and rules. */
export function readClusterNetworkPolicy(spec: Fields, ref: string, source: string | undefined): NetworkLayerPolicy {
  const tierText = spec.reqStr('tier');
  const tier =
    TIERS[tierText as keyof typeof TIERS] ??
    spec.fail(`unsupported value "${tierText}" (expected Admin, Baseline)`, 'tier');
  const priority = readPriority(spec);
  const subjectFields = spec.reqObj('subject');
  exactlyOne(subjectFields, 'subject', ['namespaces', 'pods']);
  const subject = readPods(subjectFields, 'subject', true) ?? subjectFields.fail('needs namespaces or pods');
  subjectFields.done();
  const ingress = readRules(spec, 'ingress', ref, `${tier}/${priority}`);
  const egress = readRules(spec, 'egress', ref, `${tier}/${priority}`);
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
