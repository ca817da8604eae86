// Durations as people write them in test files ("500ms", "2s", "1m") and as milliseconds.

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses a duration such as `500ms`, `2s`, `1.5s` or `1m` into milliseconds.
 * Returns undefined when the text is not a duration, so callers can report where it came from.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

/** Formats milliseconds the way a person would write them back into a test file. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
