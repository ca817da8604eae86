// Canned matrices for the watch's tests: judged cells without a probe behind them, for the code that
// schedules runs and writes what they found (the controller, the status), not for judging.

import type { Cell } from '../../src/model/matrix.ts';

/** A cell `from → to` with a result: pass (matched), fail (mismatched), error (undecided) or unchecked. */
export function cannedCell(from: string, to: string, result: Cell['result']): Cell {
  const observed = result === 'error' ? 'error' : result === 'fail' ? 'deny' : 'allow';
  return {
    from,
    to,
    url: `tcp://${to}:80`,
    expected: result === 'unchecked' ? null : 'allow',
    rule: result === 'unchecked' ? null : `${from} → ${to}`,
    observed,
    reason: result === 'error' ? 'timeout' : result === 'fail' ? 'refused' : 'connected',
    latencyMs: 3,
    attempts: 1,
    result,
    explanation: `${from} → ${to}: ${result}`,
  };
}

/** A matrix of sources × targets whose cells all pass but those named in `results` (`"a→b": "fail"`). */
export function cannedMatrix(
  sources: readonly string[],
  targets: readonly string[],
  results: Readonly<Record<string, Cell['result']>> = {},
): Cell[] {
  return sources.flatMap((from) => targets.map((to) => cannedCell(from, to, results[`${from}→${to}`] ?? 'pass')));
}
