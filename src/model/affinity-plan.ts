// What a zone-affinity sender is handed and what it hands back, as single JSON objects with a `kind`:
// an AffinityPlan in (stdin of `prober agent --affinity -`, or an environment variable in a pod), an
// AffinityMeasurement out (one line on stdout, or the container's log). Nothing here knows the lab.

import { AFFINITY_CONCURRENCY, type AffinityCheck, type IdentitySource, MAX_AFFINITY_REQUESTS } from './affinity.ts';
import { parseTarget } from './target.ts';

/** The bytes a plan may hold: a URL, a header name and a few numbers. */
export const MAX_AFFINITY_PLAN_BYTES = 16 * 1024;
/** Distinct identities a measurement keeps; answers naming more are counted as `overflow`. */
export const MAX_IDENTITIES = 256;
/** The characters of an identity kept (a pod name is at most 253). */
export const MAX_IDENTITY_LENGTH = 253;
/** A request's deadline at most. */
const MAX_TIMEOUT_MS = 600_000;

/** The plan of one source pod's requests. */
export interface AffinityPlan {
  readonly apiVersion: 'prober/v1alpha1';
  readonly kind: 'AffinityPlan';
  /** The target's URL (http:// or https://). */
  readonly url: string;
  readonly family?: 'ipv4' | 'ipv6';
  readonly requests: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly identity: IdentitySource;
}

/** Requests that got no answer, by why. */
interface AffinityFailures {
  readonly timeout: number;
  readonly refused: number;
  readonly error: number;
}

/** What one source pod saw: who answered each request, in the order the answers came. */
export interface AffinityMeasurement {
  readonly sent: number;
  /** The identities met, each once, in the order first met. */
  readonly identities: readonly string[];
  /** Per answer, in arrival order: its index in `identities`, or -1 when it named no pod. */
  readonly sequence: readonly number[];
  readonly failures: AffinityFailures;
  /** The first failure's detail (`connect ECONNREFUSED …`). */
  readonly firstFailure?: string;
  /** True when the run was interrupted before every request was answered. */
  readonly interrupted?: boolean;
}

/** The plan a check gives each of its source pods. */
export function affinityPlanOf(check: AffinityCheck): AffinityPlan {
  return {
    apiVersion: 'prober/v1alpha1',
    kind: 'AffinityPlan',
    url: check.address.url,
    ...(check.address.family ? { family: check.address.family } : {}),
    requests: check.requests,
    timeoutMs: check.timeoutMs,
    concurrency: AFFINITY_CONCURRENCY,
    identity: check.identity,
  };
}

/** At most `count` pods, taken zone by zone in turn (each zone's in their order), so a sample spans the zones. */
export function sampleByZone<T>(pods: readonly T[], zoneOf: (pod: T) => string, count: number): T[] {
  const byZone = new Map<string, T[]>();
  for (const pod of pods) byZone.set(zoneOf(pod), [...(byZone.get(zoneOf(pod)) ?? []), pod]);
  const queues = [...byZone.values()];
  const picked: T[] = [];
  for (let round = 0; picked.length < Math.min(count, pods.length); round++)
    for (const queue of queues) {
      const pod = queue[round];
      if (pod !== undefined && picked.length < count) picked.push(pod);
    }
  return picked;
}

/** The measurement as its one output line. */
export function measurementLine(measurement: AffinityMeasurement): string {
  return JSON.stringify({ kind: 'AffinityMeasurement', ...measurement });
}

/** A plan read back, or the field that is wrong and why. */
export type PlanParse = { ok: true; plan: AffinityPlan } | { ok: false; field?: string; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Reads a plan (JSON text), every field checked and bounded as a test file's check is. */
export function parseAffinityPlan(text: string): PlanParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'an affinity plan must be one JSON object' };
  }
  if (!isObject(raw)) return { ok: false, error: 'an affinity plan must be one JSON object' };
  if (raw.apiVersion !== 'prober/v1alpha1' || raw.kind !== 'AffinityPlan')
    return { ok: false, field: 'kind', error: 'must be AffinityPlan of apiVersion prober/v1alpha1' };
  const known = ['apiVersion', 'kind', 'url', 'family', 'requests', 'timeoutMs', 'concurrency', 'identity'];
  const unknown = Object.keys(raw).find((k) => !known.includes(k));
  if (unknown !== undefined)
    return { ok: false, field: unknown.slice(0, 40), error: 'is not a field of an affinity plan' };
  const target = typeof raw.url === 'string' ? parseTarget(raw.url) : { ok: false as const, error: 'must be a URL' };
  if (!target.ok) return { ok: false, field: 'url', error: target.error };
  if (target.value.scheme !== 'http' && target.value.scheme !== 'https')
    return { ok: false, field: 'url', error: 'an affinity plan sends HTTP requests (http:// or https://)' };
  if (raw.family !== undefined && raw.family !== 'ipv4' && raw.family !== 'ipv6')
    return { ok: false, field: 'family', error: 'must be ipv4 or ipv6' };
  if (!isInt(raw.requests, 1, MAX_AFFINITY_REQUESTS))
    return { ok: false, field: 'requests', error: `must be an integer from 1 to ${MAX_AFFINITY_REQUESTS}` };
  if (!isInt(raw.timeoutMs, 1, MAX_TIMEOUT_MS))
    return { ok: false, field: 'timeoutMs', error: `must be an integer from 1 to ${MAX_TIMEOUT_MS}` };
  if (!isInt(raw.concurrency, 1, 256))
    return { ok: false, field: 'concurrency', error: 'must be an integer from 1 to 256' };
  const identity = raw.identity;
  const header = isObject(identity) ? identity.header : undefined;
  const jsonField = isObject(identity) ? identity.jsonField : undefined;
  const one = isObject(identity) && Object.keys(identity).length === 1;
  const named = typeof header === 'string' ? header : typeof jsonField === 'string' ? jsonField : undefined;
  if (!one || named === undefined || !IDENTITY_NAME.test(named))
    return { ok: false, field: 'identity', error: 'must be {"header": NAME} or {"jsonField": NAME}' };
  const family = raw.family as 'ipv4' | 'ipv6' | undefined;
  return {
    ok: true,
    plan: {
      apiVersion: 'prober/v1alpha1',
      kind: 'AffinityPlan',
      url: target.value.url,
      ...(family ? { family } : {}),
      requests: raw.requests,
      timeoutMs: raw.timeoutMs,
      concurrency: raw.concurrency,
      identity: typeof header === 'string' ? { header: header.toLowerCase() } : { jsonField: named },
    },
  };
}

/** The last AffinityMeasurement line among a sender's output, checked for shape, or undefined. */
export function measurementIn(output: string): AffinityMeasurement | undefined {
  for (const line of output.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObject(raw) || raw.kind !== 'AffinityMeasurement') continue;
    const { identities, sequence, failures, sent } = raw;
    const strings = Array.isArray(identities) && identities.every((s) => typeof s === 'string');
    const indexes =
      Array.isArray(sequence) &&
      sequence.every((i) => isInt(i, -1, Array.isArray(identities) ? identities.length - 1 : -1));
    const counts =
      isObject(failures) && ['timeout', 'refused', 'error'].every((k) => isInt(failures[k], 0, MAX_AFFINITY_REQUESTS));
    if (!strings || !indexes || !counts || !isInt(sent, 0, MAX_AFFINITY_REQUESTS)) continue;
    const f = failures as unknown as AffinityFailures;
    return {
      sent,
      identities: identities as string[],
      sequence: sequence as number[],
      failures: { timeout: f.timeout, refused: f.refused, error: f.error },
      ...(typeof raw.firstFailure === 'string' ? { firstFailure: raw.firstFailure.slice(0, 200) } : {}),
      ...(raw.interrupted === true ? { interrupted: true } : {}),
    };
  }
  return undefined;
}
