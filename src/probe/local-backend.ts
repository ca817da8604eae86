// The local backend: every source is "here", so the probe engine runs in this process.

import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import { planFor } from '../model/plan.ts';
import { decide } from '../model/rules.ts';
import { ruleTargetName, type ReachabilityTest, type RunDefaults } from '../model/test-spec.ts';
import { runPlan } from './engine.ts';

/** Plans for every source of a test, with the cell expectations the agents use to stop retrying. */
export function plansFor(test: ReachabilityTest, defaults: RunDefaults) {
  const targets = test.targets.map((t) => ({
    name: t.name,
    url: t.address.url,
    ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.settleMs !== undefined ? { settleMs: t.settleMs } : {}),
    ...(t.expectStatus ? { expectStatus: t.expectStatus } : {}),
    ...(t.denyStatus ? { denyStatus: t.denyStatus } : {}),
    ...(t.family ? { family: t.family } : {}),
    ...(t.payloadHex !== undefined ? { payloadHex: t.payloadHex } : {}),
  }));
  const ruleNames = new Map(test.targets.map((t) => [t.name, ruleTargetName(t)]));
  return test.sources.map((source) =>
    planFor(
      source.name,
      targets,
      defaults,
      (target) => decide(test.rules, source.name, ruleNames.get(target) ?? target)?.verdict,
    ),
  );
}

/** Probes from the machine prober runs on. Only `local: true` sources are meaningful here. */
export class LocalBackend implements Backend {
  readonly kind = 'local' as const;
  readonly #defaults: RunDefaults;

  constructor(defaults: RunDefaults) {
    this.#defaults = defaults;
  }

  async observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun> {
    const results = new Map<string, Map<string, ProbeResult>>();
    const sourceErrors = new Map<string, string>();
    for (const plan of plansFor(test, this.#defaults)) {
      const row = new Map<string, ProbeResult>();
      results.set(plan.source, row);
      let done = 0;
      // Once the signal aborts, every probe not yet done comes back at once as error/interrupted.
      await runPlan(
        plan,
        (id, result) => {
          row.set(id, result);
          done += 1;
          options.progress?.(`${plan.source}: ${done}/${plan.probes.length} probes`);
        },
        options.signal,
      );
    }
    return { observations: { results, sourceErrors, alive: new Map() } };
  }
}
