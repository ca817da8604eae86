// A backend that "observes" what the policy model predicts, behind the same interface as live ones.
import type { Backend, BackendRun } from '../model/backend.ts';
import { LazyMap } from '../model/lazy-map.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { Prediction } from './prediction.ts';

/** Predictions for a test's cells, by source name then target name. */
export type Predictor = (test: ReachabilityTest) => ReadonlyMap<string, ReadonlyMap<string, Prediction>>;

/** The line of an explanation that decided the verdict (the denying side, else the conclusion). */
function decisiveLine(p: Prediction & { kind: 'verdict' }): string {
  const prefix =
    p.deniedAt === 'egress'
      ? 'egress'
      : p.deniedAt === 'ingress'
        ? 'ingress'
        : p.deniedAt === 'mesh'
          ? 'mesh'
          : undefined;
  const line = prefix ? p.explanation.find((l) => l.startsWith(prefix)) : undefined;
  return line ?? p.explanation[p.explanation.length - 1] ?? '';
}

/**
 * Turns a prediction into what a probe would have seen: allow as `connected`, an L3/L4 deny as
 * `timeout` (dropped SYN), a mesh deny as `reset` (the sidecar closes), and cells the model
 * cannot place as errors with the reason.
 */
function simulatedResult(url: string, p: Prediction): ProbeResult {
  if (p.kind === 'unknown')
    return { url, observed: 'error', reason: p.reason, latencyMs: 0, attempts: 1, detail: `simulated: ${p.detail}` };
  const reason = p.computed === 'allow' ? 'connected' : p.deniedAt === 'mesh' ? 'reset' : 'timeout';
  // A prediction made without its explanation (the report prints none) has no detail either.
  if (p.explanation.length === 0) return { url, observed: p.computed, reason, latencyMs: 0, attempts: 1 };
  const loop = p.verdict === 'loopback' ? 'loopback (a workload to itself; CNIs differ): ' : '';
  return {
    url,
    observed: p.computed,
    reason,
    latencyMs: 0,
    attempts: 1,
    detail: `simulated: ${loop}${decisiveLine(p)}`,
  };
}

/**
 * Which targets the simulated backend counts alive. A predicted deny is a verdict, whose target always
 * counts, so this decides only what the report says about targets (`targets[].alive` in JSON).
 */
export interface SimulationOptions {
  /**
   * Every target is alive: its cells are all the model's own verdicts (a workload matrix). Otherwise
   * a target is alive when at least one of its cells is a verdict.
   */
  readonly everyTargetAlive?: boolean;
}

/**
 * Observes nothing on a network: every cell is the policy model's prediction, turned into a result
 * when the report asks for it. A predictor that computes lazily (a workload matrix of millions of
 * cells) is never held whole.
 */
export class SimulatedBackend implements Backend {
  readonly kind = 'simulated' as const;
  private readonly predictor: Predictor;
  private readonly options: SimulationOptions;

  constructor(predictor: Predictor, options: SimulationOptions = {}) {
    this.predictor = predictor;
    this.options = options;
  }

  async observe(test: ReachabilityTest): Promise<BackendRun> {
    const predictions = this.predictor(test);
    const urls = new Map(test.targets.map((t) => [t.name, t.address.url]));
    const targetNames = new Set(urls.keys());
    const predict = (source: string, target: string): Prediction =>
      predictions.get(source)?.get(target) ?? {
        kind: 'unknown',
        reason: 'internal',
        detail: 'no prediction for this cell',
      };
    const results = new LazyMap(
      new Set(test.sources.map((s) => s.name)),
      (source) => new LazyMap(targetNames, (target) => simulatedResult(urls.get(target)!, predict(source, target))),
    );
    // A simulated deny is the policy's own answer: no liveness proof is needed.
    const decided = this.options.everyTargetAlive
      ? [...targetNames]
      : [...targetNames].filter((target) => test.sources.some((s) => predict(s.name, target).kind === 'verdict'));
    const alive = new Map(decided.map((name) => [name, 'simulated from the manifests']));
    return { observations: { results, sourceErrors: new Map(), alive } };
  }
}
