// A zone-affinity check as a test states it (source, Service target, requests per source pod, how an
// answer names its pod, what is expected), and the bounds every such check keeps.

import type { TargetAddress } from './target.ts';

/** Requests each source pod sends, unless the check says. */
export const DEFAULT_AFFINITY_REQUESTS = 100;
/** Requests a source pod must send at least: the e2e test waits for 20 lines before it judges. */
export const MIN_AFFINITY_REQUESTS = 20;
/** Requests a source pod may send at most. */
export const MAX_AFFINITY_REQUESTS = 10_000;
/** Source pods a check may send from at most. */
export const MAX_AFFINITY_SOURCES = 1000;
/** Requests in flight at once from one source pod, each on its own connection. */
export const AFFINITY_CONCURRENCY = 32;
/** The header `prober serve` and the time app name their pod in. */
export const DEFAULT_IDENTITY_HEADER = 'x-pod-name';

/** Where an answer says which pod sent it: a response header, or a top-level field of a JSON body. */
export type IdentitySource = { readonly header: string } | { readonly jsonField: string };

/**
 * What is expected of the answers:
 * - `default`: the Kubernetes e2e test's rule (test/e2e/network/traffic_distribution.go): the newest
 *   answers run at least 10 in a row from the wanted endpoints (the source zone's ready ones while it
 *   has any, else every ready one) and reach every wanted endpoint, with nothing from outside them;
 * - `sameZone`: at least this share of answers from the source's zone while it has ready endpoints;
 * - `spread`: no affinity: every ready endpoint, in every zone, answers each source pod.
 */
export type AffinityExpectation =
  | { readonly kind: 'default' }
  | { readonly kind: 'sameZone'; readonly share: number; readonly written: string }
  | { readonly kind: 'spread' };

/** A loaded zone-affinity check. */
export interface AffinityCheck {
  readonly kind: 'affinity';
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly address: TargetAddress;
  /** Each request's deadline. */
  readonly timeoutMs: number;
  /** Requests each source pod sends, each on a new connection. */
  readonly requests: number;
  /** Send from at most this many of the source's pods (spread over zones); absent: from every one. */
  readonly sample?: number;
  readonly identity: IdentitySource;
  readonly expect: AffinityExpectation;
  readonly origin?: { readonly file: string; readonly line: number };
}

/** `x-pod-name header`, `JSON field pod`. */
export function identityText(identity: IdentitySource): string {
  return 'header' in identity ? `${identity.header} header` : `JSON field ${identity.jsonField}`;
}

/** The expectation in words. */
export function affinityExpectationText(expect: AffinityExpectation): string {
  switch (expect.kind) {
    case 'default':
      return 'same-zone endpoints only while the zone has ready ones, each reached, 10 answers in a row (the Kubernetes e2e rule); else every ready endpoint';
    case 'sameZone':
      return `≥ ${expect.written} of answers from the source's zone while it has ready endpoints`;
    case 'spread':
      return 'no affinity: every ready endpoint, in every zone, answers each source pod';
  }
}
