// Reading the measurement lines a check's agent printed (a container log read through the API): each
// line checked field by field and bounded, so a line that is not a measurement is never judged as one.

import type { RateMeasurement } from './rate-judgement.ts';

/** The most rejection headers a measurement may carry, and the longest of them. */
const MAX_HEADERS = 16;
const MAX_TEXT = 1024;

const count = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const text = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_TEXT;

/** The statuses of a measurement (`{"429": 37}`), or undefined when any is not a count of a 3-digit status. */
function statusesOf(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 1000 || entries.some(([k, v]) => !/^\d{3}$/.test(k) || !count(v))) return undefined;
  return Object.fromEntries(entries) as Record<string, number>;
}

/**
 * The measurement of phase `phase` in a parsed line (`{"kind":"RateMeasurement","phase":0,…}`), or
 * undefined when the line is another kind, another phase, or not a well-formed measurement.
 */
export function measurementOfLine(line: Readonly<Record<string, unknown>>, phase: number): RateMeasurement | undefined {
  if (line.kind !== 'RateMeasurement' || line.phase !== phase) return undefined;
  const numbers = [
    'offeredPerSecond',
    'durationMs',
    'scheduled',
    'sent',
    'achievedPerSecond',
    'late',
    'accepted',
    'resets',
  ];
  if (!numbers.every((field) => count(line[field]))) return undefined;
  const unanswered = line.unanswered as Record<string, unknown> | null | undefined;
  if (typeof unanswered !== 'object' || unanswered === null) return undefined;
  if (!count(unanswered.timeout) || !count(unanswered.refused) || !count(unanswered.error)) return undefined;
  const statuses = statusesOf(line.statuses);
  const headers = line.rejectionHeaders;
  if (!statuses || !Array.isArray(headers) || headers.length > MAX_HEADERS || !headers.every(text)) return undefined;
  if (line.firstFailure !== undefined && !text(line.firstFailure)) return undefined;
  return {
    offeredPerSecond: line.offeredPerSecond as number,
    durationMs: line.durationMs as number,
    scheduled: line.scheduled as number,
    sent: line.sent as number,
    achievedPerSecond: line.achievedPerSecond as number,
    late: line.late as number,
    accepted: line.accepted as number,
    statuses,
    resets: line.resets as number,
    unanswered: { timeout: unanswered.timeout, refused: unanswered.refused, error: unanswered.error },
    rejectionHeaders: headers as string[],
    ...(line.firstFailure !== undefined ? { firstFailure: line.firstFailure as string } : {}),
    ...(line.interrupted === true ? { interrupted: true } : {}),
  };
}
