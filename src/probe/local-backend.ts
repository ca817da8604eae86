// The local backend: every source is "here", so the probe engine runs in this process.

import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import { plansFor } from '../model/plan.ts';
import type { ReachabilityTest, RunDefaults } from '../model/test-spec.ts';
import { runPlan } from './engine.ts';

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
