// `lab test`: agents run inside the source pods' namespaces; liveness is checked from the node.

import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import type { ReportSource } from '../model/report.ts';
import type { ReachabilityTest, RunDefaults } from '../model/test-spec.ts';
import { plansFor } from '../probe/local-backend.ts';
import { endpointsOf, endpointUrl, podsMatching } from './endpoints.ts';
import { agentIn } from './readiness.ts';
import type { LabState } from './state.ts';

/** Observes a test's matrix in a running lab. */
export class LabBackend implements Backend {
  readonly kind = 'lab' as const;
  readonly #state: LabState;
  readonly #prober: readonly string[];
  readonly #defaults: RunDefaults;

  constructor(state: LabState, prober: readonly string[], defaults: RunDefaults) {
    this.#state = state;
    this.#prober = prober;
    this.#defaults = defaults;
  }

  async observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun> {
    const { topology } = this.#state;
    const results = new Map<string, Map<string, ProbeResult>>();
    const sourceErrors = new Map<string, string>();
    const sources: ReportSource[] = [];
    const plans = plansFor(test, this.#defaults);
    let finished = 0;
    const runs = test.sources.map(async (source, index) => {
      const plan = plans[index] as ProbePlan;
      const pod = podsMatching(topology, source.namespace, source.selector)[0];
      const selector = Object.entries(source.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      sources.push({ name: source.name, ...(source.namespace ? { namespace: source.namespace } : {}), ...(source.selector ? { selector: source.selector } : {}), ...(pod ? { pod: `${pod.namespace}/${pod.name}` } : {}) });
      if (!pod) {
        sourceErrors.set(source.name, source.local ? 'local sources have no place in the lab' : `no lab pod in ${source.namespace} matches ${selector || 'any labels'}`);
        return;
      }
      try {
        const out = await agentIn(pod.netns, this.#prober, plan, options.signal);
        if (!out.complete) sourceErrors.set(source.name, `agent in ${pod.netns} stopped early${out.stderr ? `: ${out.stderr.split('\n')[0]}` : ''}`);
        results.set(source.name, out.results);
      } catch (error) {
        sourceErrors.set(source.name, error instanceof Error ? error.message : String(error));
      }
      finished += 1;
      options.progress?.(`lab ${topology.lab}: ${finished}/${test.sources.length} sources probed`);
    });
    const [alive] = await Promise.all([this.#liveness(test, options.signal), ...runs]);
    const order = new Map(test.sources.map((s, i) => [s.name, i]));
    sources.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    return { observations: { results, sourceErrors, alive }, sources, context: `lab ${topology.lab}` };
  }

  /** Trust rule 2 in the lab: a target is alive when one of its endpoints answers the node. */
  async #liveness(test: ReachabilityTest, signal: AbortSignal): Promise<Map<string, string>> {
    const { topology } = this.#state;
    const probes = test.targets.flatMap((target) =>
      endpointsOf(topology, target.address).map((endpoint, i) => ({
        id: `${target.name}#${i}`,
        url: endpointUrl(target.address, endpoint),
        // Any status proves a live server; only silence or refusal does not.
        expectStatus: ['1xx', '2xx', '3xx', '4xx', '5xx'] as const,
      })),
    );
    const alive = new Map<string, string>();
    if (probes.length === 0) return alive;
    const plan: ProbePlan = { apiVersion: 'prober/v1alpha1', kind: 'ProbePlan', source: 'node', defaults: { ...this.#defaults, attempts: 1 }, probes: probes.map((p) => ({ ...p, expectStatus: [...p.expectStatus] })) };
    const { results } = await agentIn(topology.nodeNetns, this.#prober, plan, signal).catch(() => ({ results: new Map<string, ProbeResult>() }));
    for (const probe of probes) {
      const result = results.get(probe.id);
      const target = probe.id.slice(0, probe.id.lastIndexOf('#'));
      if (result?.observed === 'allow' && !alive.has(target)) alive.set(target, `answered the node at ${probe.url}`);
    }
    return alive;
  }
}
