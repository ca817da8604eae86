// Fixtures for the tests of the in-cluster watch: a small ReachabilityTest resource, and canned
// matrices (judged cells without a probe behind them) for the code that schedules runs and writes what
// they found (the controller, the status, the fake API server's custom resources), not for judging.

import type { Cell } from '../../src/model/matrix.ts';

type Json = Record<string, any>;

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

/** A small valid ReachabilityTest named `name` in no namespace yet (the request's), with `extra` on top. */
export function sampleTest(name: string, extra: Json = {}): Json {
  return {
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name, labels: { team: 'a' } },
    spec: {
      sources: { web: { namespace: 'team', selector: { app: 'web' } } },
      targets: { db: { url: 'tcp://db:5432' } },
      expect: [{ from: 'web', to: 'db', verdict: 'allow' }],
    },
    ...extra,
  };
}
