// Port selections of policy rules (numbers, ranges, named ports) and matching against traffic.
import type { Protocol } from './types.ts';

/** A port number range (single port: from = to) for some protocols. */
interface NumberedPorts {
  readonly kind: 'number';
  readonly protocols: readonly Protocol[];
  readonly from: number;
  readonly to: number;
}

/** A named port, resolved on the destination pod's container ports. */
export interface NamedPort {
  readonly kind: 'name';
  /** The protocols the name may resolve with (NetworkPolicy: the rule's protocol). */
  readonly protocols: readonly Protocol[];
  readonly name: string;
}

export type PortSpec = NumberedPorts | NamedPort;

/** The ports of one rule: `all` when the rule does not restrict ports. */
export type PortSelection = { readonly kind: 'all' } | { readonly kind: 'some'; readonly specs: readonly PortSpec[] };

/** A container port of the destination, protocol resolved. */
export interface ContainerPort {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

/** True when the selection covers traffic to `port`/`protocol` on a pod with `containerPorts`. */
export function portMatches(
  selection: PortSelection,
  port: number,
  protocol: Protocol,
  containerPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (selection.kind === 'all') return true;
  for (const spec of selection.specs) {
    if (!spec.protocols.includes(protocol)) continue;
    switch (spec.kind) {
      case 'number':
        if (port >= spec.from && port <= spec.to) return true;
        break;
      case 'name':
        // A named port only means something on a pod that declares it (with that protocol).
        if (containerPorts?.some((c) => c.name === spec.name && c.port === port && c.protocol === protocol)) {
          return true;
        }
        break;
      default: {
        const never: never = spec;
        return never;
      }
    }
  }
  return false;
}

/** True when the selection uses named ports (its result then depends on the destination). */
export function usesNames(selection: PortSelection): boolean {
  return selection.kind === 'some' && selection.specs.some((s) => s.kind === 'name');
}
