// Reads the plan of one rate-limit phase a sender is handed (`prober agent --rate FILE`): every field
// checked and bounded as a test file's check is, so a hand-written plan cannot ask for more.

import type { ProxyReady } from '../model/plan.ts';
import { MAX_PHASE_MS, MAX_RATE_PER_SECOND } from '../model/rate-limit.ts';
import {
  MAX_CONNECTIONS,
  MAX_PAUSE_MS,
  MAX_PLAN_PHASES,
  type RateCheckPlanDocument,
  type RatePlanDocument,
} from '../model/rate-plan.ts';
import { parseTarget, type TargetAddress } from '../model/target.ts';
import { ConfigError } from './config-error.ts';

/** A request's deadline at most: a probe's. */
const MAX_TIMEOUT_MS = 600_000;

/** A number field within its bounds (above `min` when `above`, else from it), or a one-line refusal naming it. */
function bounded(
  origin: string,
  value: unknown,
  field: string,
  range: { min: number; max: number; above?: boolean; integer?: boolean },
): number {
  const { min, max, above = false, integer = false } = range;
  const low = typeof value === 'number' && (above ? value <= min : value < min);
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    low ||
    value > max ||
    (integer && !Number.isInteger(value))
  )
    throw new ConfigError(
      origin,
      undefined,
      field,
      `must be ${integer ? 'an integer' : 'a number'} ${above ? 'above' : 'from'} ${min} ${above ? 'and at most' : 'to'} ${max}`,
    );
  return value;
}

/** The plan in `text` (JSON), and the address it sends to; a bad plan throws a ConfigError naming the field. */
export function parseRatePlan(origin: string, text: string): { plan: RatePlanDocument; address: TargetAddress } {
  const doc = jsonObject(origin, text);
  if (doc.apiVersion !== 'prober/v1alpha1' || doc.kind !== 'RatePlan')
    throw new ConfigError(origin, undefined, 'kind', 'must be RatePlan of apiVersion prober/v1alpha1');
  const known = new Set([
    'apiVersion',
    'kind',
    'url',
    'family',
    'offeredPerSecond',
    'durationMs',
    'timeoutMs',
    'maxInFlight',
  ]);
  const unknown = Object.keys(doc).find((key) => !known.has(key));
  if (unknown !== undefined)
    throw new ConfigError(origin, undefined, unknown.slice(0, 40), 'is not a field of a rate plan');
  const parsed = typeof doc.url === 'string' ? parseTarget(doc.url) : { ok: false as const, error: 'must be a URL' };
  if (!parsed.ok) throw new ConfigError(origin, undefined, 'url', parsed.error);
  if (parsed.value.scheme !== 'http' && parsed.value.scheme !== 'https')
    throw new ConfigError(origin, undefined, 'url', 'a rate plan sends HTTP requests (http:// or https://)');
  if (doc.family !== undefined && doc.family !== 'ipv4' && doc.family !== 'ipv6')
    throw new ConfigError(origin, undefined, 'family', 'must be ipv4 or ipv6');
  const family = doc.family as 'ipv4' | 'ipv6' | undefined;
  const plan: RatePlanDocument = {
    apiVersion: 'prober/v1alpha1',
    kind: 'RatePlan',
    url: parsed.value.url,
    ...(family ? { family } : {}),
    offeredPerSecond: bounded(origin, doc.offeredPerSecond, 'offeredPerSecond', {
      min: 0,
      max: MAX_RATE_PER_SECOND,
      above: true,
    }),
    durationMs: bounded(origin, doc.durationMs, 'durationMs', { min: 1, max: MAX_PHASE_MS }),
    timeoutMs: bounded(origin, doc.timeoutMs, 'timeoutMs', { min: 1, max: MAX_TIMEOUT_MS }),
    maxInFlight: bounded(origin, doc.maxInFlight, 'maxInFlight', { min: 1, max: MAX_CONNECTIONS, integer: true }),
  };
  return { plan, address: family ? { ...parsed.value, family } : parsed.value };
}

/** The JSON object in `text`, or a one-line refusal. */
function jsonObject(origin: string, text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(origin, undefined, undefined, 'a rate plan must be one JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(origin, undefined, undefined, 'a rate plan must be one JSON object');
  return raw as Record<string, unknown>;
}

/** A name field of a check plan: a short string. */
function nameField(origin: string, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253)
    throw new ConfigError(origin, undefined, field, 'must be a string of 1 to 253 characters');
  return value;
}

/** The sidecar proxy a probe pod's agent waits for (probe-pod.ts adds it to any plan), as plan-schema.ts bounds it. */
export function proxyReadyField(origin: string, value: unknown): ProxyReady | undefined {
  if (value === undefined) return undefined;
  const doc = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { mesh, url, deadlineMs } = doc;
  if (
    Object.keys(doc).some((k) => !['mesh', 'url', 'deadlineMs'].includes(k)) ||
    typeof mesh !== 'string' ||
    mesh.length < 1 ||
    mesh.length > 64 ||
    typeof url !== 'string' ||
    !/^http:\/\/127\.0\.0\.1:[0-9]{1,5}\/\S*$/.test(url)
  )
    throw new ConfigError(
      origin,
      undefined,
      'proxyReady',
      'must be { mesh, url: http://127.0.0.1:PORT/PATH, deadlineMs }',
    );
  return {
    mesh,
    url,
    deadlineMs: bounded(origin, deadlineMs, 'proxyReady.deadlineMs', { min: 1000, max: 3_600_000, integer: true }),
  };
}

/**
 * The plan of every phase of a check in `text` (JSON, what a cluster agent gets in its environment), each
 * phase bounded as a RatePlan is; a bad plan throws a ConfigError naming the field.
 */
export function parseRateCheckPlan(
  origin: string,
  text: string,
): { plan: RateCheckPlanDocument; address: TargetAddress; proxyReady?: ProxyReady } {
  const doc = jsonObject(origin, text);
  if (doc.apiVersion !== 'prober/v1alpha1' || doc.kind !== 'RateCheckPlan')
    throw new ConfigError(origin, undefined, 'kind', 'must be RateCheckPlan of apiVersion prober/v1alpha1');
  const known = ['apiVersion', 'kind', 'source', 'check', 'url', 'family', 'timeoutMs', 'maxInFlight'];
  const unknown = Object.keys(doc).find((key) => ![...known, 'pauseMs', 'phases', 'proxyReady'].includes(key));
  if (unknown !== undefined)
    throw new ConfigError(origin, undefined, unknown.slice(0, 40), 'is not a field of a rate check plan');
  const phases = doc.phases;
  if (!Array.isArray(phases) || phases.length === 0 || phases.length > MAX_PLAN_PHASES)
    throw new ConfigError(origin, undefined, 'phases', `must be a list of 1 to ${MAX_PLAN_PHASES} phases`);
  const common = Object.fromEntries(known.filter((k) => k !== 'source' && k !== 'check').map((k) => [k, doc[k]]));
  // Each phase is checked as the plan of that phase alone would be.
  const checked = phases.map((phase: unknown, i) => {
    const fields = (typeof phase === 'object' && phase !== null ? phase : {}) as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => k !== 'offeredPerSecond' && k !== 'durationMs');
    if (extra !== undefined)
      throw new ConfigError(origin, undefined, `phases[${i}].${extra.slice(0, 40)}`, 'is not a field of a phase');
    const one = parseRatePlan(`${origin} phases[${i}]`, JSON.stringify({ ...common, ...fields, kind: 'RatePlan' }));
    return { offeredPerSecond: one.plan.offeredPerSecond, durationMs: one.plan.durationMs };
  });
  const proxyReady = proxyReadyField(origin, doc.proxyReady);
  const first = parseRatePlan(origin, JSON.stringify({ ...common, kind: 'RatePlan', ...checked[0] }));
  const plan: RateCheckPlanDocument = {
    apiVersion: 'prober/v1alpha1',
    kind: 'RateCheckPlan',
    source: nameField(origin, doc.source, 'source'),
    check: nameField(origin, doc.check, 'check'),
    url: first.plan.url,
    ...(first.plan.family ? { family: first.plan.family } : {}),
    timeoutMs: first.plan.timeoutMs,
    maxInFlight: first.plan.maxInFlight,
    pauseMs: bounded(origin, doc.pauseMs, 'pauseMs', { min: 0, max: MAX_PAUSE_MS }),
    phases: checked,
  };
  return { plan, address: first.address, ...(proxyReady ? { proxyReady } : {}) };
}
