// Runs of a watch without a lab: the seed's expectations observed by the simulated backend (the real
// policy engine over the repository's manifests), judged with the policy model's verdicts, and fed to
// the live page's state the way `prober watch` feeds it. With the seed's NetworkPolicy every cell
// matches; without it the three cells into Redis that it closes are allowed, a mismatch.

import { join } from 'node:path';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { assembleMatrix, type Cell } from '../../src/model/matrix.ts';
import type { ReachabilityTest } from '../../src/model/test-spec.ts';
import { judgeRun, type WatchedCell } from '../../src/model/watch-cells.ts';
import { loadPolicyModel } from '../../src/orchestration/policy-model.ts';
import { WatchState } from '../../src/orchestration/watch-state.ts';
import { modelVerdicts, predictTest, SimulatedBackend } from '../../src/policy/index.ts';
import { inputIo } from './input-io.ts';
import { ROOT } from './prober.ts';

export const EXPECTATIONS = join(ROOT, 'policies', 'expectations.yaml');
const WORKLOADS = join(ROOT, 'k8s');
const POLICIES = join(ROOT, 'policies', 'networkpolicy');

/** One judged run of `test` against the workloads, with the seed's policies or without. */
export async function simulatedRun(test: ReachabilityTest, withPolicies: boolean): Promise<Cell[]> {
  const io = inputIo(ROOT);
  const model = await loadPolicyModel(withPolicies ? [WORKLOADS, POLICIES] : [WORKLOADS], { warn: () => {}, io });
  const backend = new SimulatedBackend((t) => predictTest(model, t));
  const { observations } = await backend.observe(test);
  const verdicts = modelVerdicts(predictTest(model, test, { evidence: true }));
  return assembleMatrix({ test, observations, model: verdicts });
}

/**
 * A page state after one run per entry of `policies` (true: the seed's policies applied), a minute
 * apart from `start`: flips found as the watch finds them, between consecutive runs.
 */
export async function watchedState(policies: readonly boolean[], start = Date.UTC(2026, 0, 1)): Promise<WatchState> {
  const test = await loadReachabilityTest(EXPECTATIONS, inputIo(ROOT));
  const state = new WatchState([test.name], 1000);
  const record = recorder(state, test.name, 0.25);
  for (const [i, withPolicies] of policies.entries())
    record(await simulatedRun(test, withPolicies), start + i * 60_000);
  return state;
}

/** Feeds runs of `test` to `state` as the watch does, each judged against the one before. */
export function recorder(state: WatchState, test: string, seconds: number): (cells: Cell[], endedAt: number) => void {
  let previous: ReadonlyMap<string, WatchedCell> | undefined;
  return (cells, endedAt) => {
    const { changes, verdict, counts, byId } = judgeRun(test, cells, previous);
    state.recordRun(test, { cells, flips: changes.flips, verdict, counts, seconds, endedAt });
    previous = byId;
  };
}
