// Reads the plan of one rate-limit phase a sender is handed (`prober agent --rate FILE`): every field
// checked and bounded as a test file's check is, so a hand-written plan cannot ask for more.

import { MAX_PHASE_MS, MAX_RATE_PER_SECOND } from '../model/rate-limit.ts';
import { MAX_CONNECTIONS, type RatePlanDocument } from '../model/rate-plan.ts';
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
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(origin, undefined, undefined, 'a rate plan must be one JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(origin, undefined, undefined, 'a rate plan must be one JSON object');
  const doc = raw as Record<string, unknown>;
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
