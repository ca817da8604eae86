// What a Service's EndpointSlices prove about one of its ports: which backends serve it, with the
// conditions read as discovery.k8s.io/v1 defines them.

import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import type { IpFamily } from '../model/family.ts';

/** The Service port a target probes, as a slice names it; undefined for a headless Service without ports. */
export interface SlicePort {
  /** The Service port's name ("" when the Service has a single unnamed port). */
  readonly name: string;
  /** `TCP`, `UDP` or `SCTP`; a Service port's protocol defaults to TCP. */
  readonly protocol: string;
  /** The pods' port number it must map to, when that matters (a headless Service's pods are probed directly). */
  readonly number?: number;
}

/** The backends a Service's slices list for a port, each counted once however many slices list it. */
export interface BackendCount {
  /** Serving and not terminating: a process that answers behind the Service. */
  readonly serving: number;
  /** Listed, but its pod is not Ready (crash-looping, starting, failing its readiness probe). */
  readonly notServing: number;
  /** Being deleted, whether it still serves or not. */
  readonly terminating: number;
}

type State = 'serving' | 'not-serving' | 'terminating';

/**
 * Whether one endpoint proves a running backend. The API's defaults: an unset `terminating` is
 * false, unset `serving` and `ready` are true. `ready` alone is not enough: a Service with
 * `publishNotReadyAddresses` has every endpoint ready, a crash-looping one included, while `serving`
 * stays the pod's Ready condition; and a terminating pod may still serve, but is on its way out.
 */
function endpointState(endpoint: V1Endpoint): State {
  const conditions = endpoint.conditions ?? {};
  if (conditions.terminating === true) return 'terminating';
  if (conditions.serving === false || conditions.ready === false) return 'not-serving';
  return 'serving';
}

/** True when the slice lists the port (by name and protocol, as the controller copies it from the Service). */
function listsPort(slice: V1EndpointSlice, port: SlicePort): boolean {
  // An empty or missing list means "no ports defined": its endpoints serve no named Service port.
  return (slice.ports ?? []).some(
    (p) =>
      (p.name ?? '') === port.name &&
      (p.protocol ?? 'TCP') === port.protocol &&
      // A slice port is the pod's port (the resolved targetPort); unset means all ports.
      (port.number === undefined || p.port === undefined || p.port === port.number),
  );
}

const ADDRESS_TYPE: Readonly<Record<IpFamily, string>> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** One backend however many slices list it: a dual-stack pod is in an IPv4 and an IPv6 slice. */
function backendKey(endpoint: V1Endpoint): string {
  const ref = endpoint.targetRef;
  if (ref?.name) return `${ref.kind ?? ''}/${ref.namespace ?? ''}/${ref.name}`;
  return endpoint.addresses[0] ?? '';
}

/**
 * Counts the backends of `port` across the slices (a headless Service without ports: every
 * endpoint), only those of `family` when the target asks for one. A backend that serves in any
 * slice counts as serving.
 */
export function countBackends(
  slices: readonly V1EndpointSlice[],
  port: SlicePort | undefined,
  family?: IpFamily,
): BackendCount {
  const states = new Map<string, State>();
  const rank: Record<State, number> = { serving: 2, terminating: 1, 'not-serving': 0 };
  for (const slice of slices) {
    if (family && slice.addressType !== ADDRESS_TYPE[family]) continue;
    if (port && !listsPort(slice, port)) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const key = backendKey(endpoint);
      const state = endpointState(endpoint);
      const before = states.get(key);
      if (!before || rank[state] > rank[before]) states.set(key, state);
    }
  }
  const count = { serving: 0, notServing: 0, terminating: 0 };
  for (const state of states.values()) {
    if (state === 'serving') count.serving += 1;
    else if (state === 'terminating') count.terminating += 1;
    else count.notServing += 1;
  }
  return count;
}

/** ` (2 not ready, 1 terminating)` for a message, or "" when nothing was listed. */
export function describeUnready(count: BackendCount): string {
  const parts = [
    ...(count.notServing > 0 ? [`${count.notServing} not ready`] : []),
    ...(count.terminating > 0 ? [`${count.terminating} terminating`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
