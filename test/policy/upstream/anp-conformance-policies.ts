// The conformance suite's AdminNetworkPolicy / BaselineAdminNetworkPolicy manifests, built from their shape.

import { ns, type Policies, podInfo } from './anp-conformance.ts';
import { labels, type Manifest } from './manifests.ts';

type Proto = 'TCP' | 'UDP' | 'SCTP';
type Port = readonly [number, Proto];
type Rule = Record<string, unknown>;

const MD = 'kubernetes.io/metadata.name';
/** Peer or subject: the namespace of a house, by its immutable name label. */
export const house = (h: string): Manifest => ({ namespaces: labels({ [MD]: ns(h) }) });
/** Peer or subject: pods of a house, by conformance-house on both namespace and pod. */
export const housePods = (h: string): Manifest => ({
  pods: { namespaceSelector: labels({ 'conformance-house': h }), podSelector: labels({ 'conformance-house': h }) },
});
/** Peer or subject: namespaces by their conformance-house label. */
export const houseNamespaces = (h: string): Manifest => ({ namespaces: labels({ 'conformance-house': h }) });

const ports = (list: readonly Port[]) => list.map(([port, protocol]) => ({ portNumber: { port, protocol } }));

/** A rule; `peers` go to `from` (ingress) or `to` (egress). */
export function rule(
  direction: 'ingress' | 'egress',
  name: string,
  action: string,
  peers: Manifest[],
  on?: readonly Port[],
): Rule {
  return { name, action, [direction === 'ingress' ? 'from' : 'to']: peers, ...(on ? { ports: ports(on) } : {}) };
}

/**
 * The rule list every standard ANP of the suite shares, for one direction: A is allowed, denied and
 * passed for everything (in that order), B denied then passed on its ports, C allowed on its ports
 * and denied for the rest. A baseline policy has the same list without the Pass rules.
 */
export function ladder(
  direction: 'ingress' | 'egress',
  a: string,
  b: [string, readonly Port[]],
  c: [string, readonly Port[]],
  withPass: boolean,
): Rule[] {
  const w = direction === 'ingress' ? 'from' : 'to';
  return [
    rule(direction, `allow-${w}-${a}-everything`, 'Allow', [house(a)]),
    rule(direction, `deny-${w}-${a}-everything`, 'Deny', [house(a)]),
    ...(withPass ? [rule(direction, `pass-${w}-${a}-everything`, 'Pass', [house(a)])] : []),
    rule(direction, `deny-${w}-${b[0]}-at-ports`, 'Deny', [house(b[0])], b[1]),
    ...(withPass ? [rule(direction, `pass-${w}-${b[0]}-at-ports`, 'Pass', [house(b[0])], b[1])] : []),
    rule(direction, `allow-${w}-${c[0]}-at-ports`, 'Allow', [house(c[0])], c[1]),
    rule(direction, `deny-${w}-${c[0]}-everything-else`, 'Deny', [house(c[0])]),
  ];
}

/** An AdminNetworkPolicy. */
export function anp(
  name: string,
  priority: number,
  subject: Manifest,
  rules: { ingress?: Rule[]; egress?: Rule[] },
): Manifest {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: { priority, subject, ...rules },
  };
}

/** The BaselineAdminNetworkPolicy (always named default). */
export function banp(subject: Manifest, rules: { ingress?: Rule[]; egress?: Rule[] }): Manifest {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec: { subject, ...rules },
  };
}

function rules(policies: Policies, name: string, direction: 'ingress' | 'egress'): Rule[] {
  const spec = policies.get(name)!.spec as Record<string, Rule[]>;
  return spec[direction]!;
}

/** Swaps two rules of a policy (a merge patch of the rule list), as the suite's subtests do. */
export const swap =
  (name: string, direction: 'ingress' | 'egress' | 'both', i: number, j: number) =>
  (policies: Policies): void => {
    for (const d of direction === 'both' ? (['egress', 'ingress'] as const) : [direction]) {
      const list = rules(policies, name, d);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  };

/** Replaces a rule's ports with one named port. */
export const toNamedPort =
  (name: string, direction: 'ingress' | 'egress', index: number, port: string) =>
  (policies: Policies): void => {
    rules(policies, name, direction)[index]!.ports = [{ namedPort: port }];
  };

/** Sets one field of the policy's spec or of a rule. */
export const setPriority =
  (name: string, priority: number) =>
  (policies: Policies): void => {
    (policies.get(name)!.spec as Record<string, unknown>).priority = priority;
  };
export const setAction =
  (name: string, direction: 'ingress' | 'egress', index: number, action: string) =>
  (policies: Policies): void => {
    rules(policies, name, direction)[index]!.action = action;
  };

/** Inserts an egress rule first that allows the given pods' IPs (/32, like the suite's IPv4 case). */
export const allowPodIpsFirst =
  (name: string, pods: string[]) =>
  (policies: Policies): void => {
    const list = rules(policies, name, 'egress');
    list.unshift(
      rule('egress', 'allow-egress-to-specific-podIPs', 'Allow', [
        { networks: pods.map((p) => `${podInfo(p).ip}/32`) },
      ]),
    );
  };
