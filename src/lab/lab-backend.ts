// `lab test`: agents run inside the source pods' namespaces; liveness is checked from the node.

import type { Backend, BackendRun, ObserveOptions } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import { plansFor } from '../model/plan.ts';
import type { ReportSource } from '../model/report.ts';
import type { ReachabilityTest, RunDefaults } from '../model/test-spec.ts';
import { type AgentRun, agentsIn } from './agents.ts';
import { endpointsOf, endpointUrl, podsMatching } from './endpoints.ts';
import { ANY_STATUS } from './readiness.ts';
import { agentSocket, type LabState } from './state.ts';

/** Observes a test's matrix in a running lab. */
export class LabBackend implements Backend {
  readonly kind = 'lab' as const;
  readonly #state: LabState;
  readonly #prober: readonly string[];
  readonly #defaults: RunDefaults;
  /** The directory labs keep their files in: the agents' sockets are below it. */
  readonly #root: string;

  constructor(state: LabState, prober: readonly string[], defaults: RunDefaults, root: string) {
    this.#state = state;
    this.#root = root;
    this.#prober = prober;
    this.#defaults = defaults;
  }

  async observe(test: ReachabilityTest, options: ObserveOptions): Promise<BackendRun> {
    const { topology } = this.#state;
    const results = new Map<string, Map<string, ProbeResult>>();
    const sourceErrors = new Map<string, string>();
    const plans = plansFor(test, this.#defaults);
    const runs: (AgentRun & { source?: string })[] = [];
    const sources: ReportSource[] = test.sources.map((source, index) => {
      const pod = podsMatching(topology, source.namespace, source.selector)[0];
      const selector = Object.entries(source.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      if (pod)
        runs.push({
          netns: pod.netns,
          socket: agentSocket(this.#root, topology, pod.netns),
          plan: plans[index] as ProbePlan,
          source: source.name,
        });
      else
        sourceErrors.set(
          source.name,
          source.local
            ? 'local sources have no place in the lab'
            : `no lab pod in ${source.namespace} matches ${selector || 'any labels'}`,
        );
      return {
        name: source.name,
        ...(source.namespace ? { namespace: source.namespace } : {}),
        ...(source.selector ? { selector: source.selector } : {}),
        ...(pod ? { pod: `${pod.namespace}/${pod.name}` } : {}),
      };
    });
    // Trust rule 2 in the lab: a target is alive when one of its endpoints answers the node.
    const liveness = this.#livenessPlan(test);
    runs.push({
      netns: topology.nodeNetns,
      socket: agentSocket(this.#root, topology, topology.nodeNetns),
      plan: liveness.plan,
    });
    options.progress?.(`lab ${topology.lab}: ${runs.length - 1} agents probing`);
    const outputs = await agentsIn(runs, this.#prober, options.signal);
    const alive = new Map<string, string>();
    outputs.forEach((out, i) => {
      const run = runs[i]!;
      if (run.source === undefined) {
        for (const [id, url] of liveness.urls) {
          const target = id.slice(0, id.lastIndexOf('#'));
          if (out.results.get(id)?.observed === 'allow' && !alive.has(target))
            alive.set(target, `answered the node at ${url}`);
        }
        return;
      }
      results.set(run.source, out.results);
      // An agent cut short by an interrupt is no fault of the source: its missing cells are reported as interrupted.
      if (!out.complete && !options.signal.aborted)
        sourceErrors.set(
          run.source,
          `agent in ${run.netns} stopped early${out.stderr ? `: ${out.stderr.split('\n')[0]}` : ''}`,
        );
    });
    return { observations: { results, sourceErrors, alive }, sources, context: topology.lab };
  }

  /** Probes of every target's endpoints, straight from the node (no Service, no policy in the way). */
  #livenessPlan(test: ReachabilityTest): { plan: ProbePlan; urls: Map<string, string> } {
    const urls = new Map<string, string>();
    const payloads = new Map<string, string>();
    for (const target of test.targets) {
      // A target probed over one family is alive when its endpoints answer over that family.
      for (const [i, endpoint] of endpointsOf(this.#state.topology, target.address, target.family).entries()) {
        urls.set(`${target.name}#${i}`, endpointUrl(target.address, endpoint));
        // A UDP endpoint answers the node only to the datagram the target's own probes send.
        if (target.payloadHex !== undefined) payloads.set(`${target.name}#${i}`, target.payloadHex);
      }
    }
    const probes = [...urls].map(([id, url]) => {
      const payloadHex = payloads.get(id);
      return { id, url, expectStatus: ANY_STATUS, ...(payloadHex !== undefined ? { payloadHex } : {}) };
    });
    return {
      plan: {
        apiVersion: 'prober/v1alpha1',
        kind: 'ProbePlan',
        source: 'node',
        defaults: { ...this.#defaults, attempts: 1 },
        probes,
      },
      urls,
    };
  }
}
