// A monotonic millisecond clock. process.hrtime is used rather than the `performance` global, whose
// first use loads perf_hooks: a few milliseconds every agent would pay at start-up.

/** Milliseconds on a monotonic clock, with sub-millisecond precision. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
