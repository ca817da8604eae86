// A backend that "observes" what the policy model predicts, behind the same interface as live ones.
import type { Backend, BackendRun } from '../model/backend.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { Prediction } from './predict.ts';

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
export function simulatedResult(url: string, p: Prediction): ProbeResult {
  if (p.kind === 'unknown')
    return { url, observed: 'error', reason: p.reason, latencyMs: 0, attempts: 1, detail: `simulated: ${p.detail}` };
  const reason = p.computed === 'allow' ? 'connected' : p.deniedAt === 'mesh' ? 'reset' : 'timeout';
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

/** Observes nothing on a network: every cell is the policy model's prediction. */
export class SimulatedBackend implements Backend {
  readonly kind = 'simulated' as const;
  private readonly predictor: Predictor;

  constructor(predictor: Predictor) {
    this.predictor = predictor;
  }

  async observe(test: ReachabilityTest): Promise<BackendRun> {
    const predictions = this.predictor(test);
    const results = new Map<string, Map<string, ProbeResult>>();
    const alive = new Map<string, string>();
    for (const source of test.sources) {
      const row = new Map<string, ProbeResult>();
      for (const target of test.targets) {
        const p = predictions.get(source.name)?.get(target.name) ?? {
          kind: 'unknown',
          reason: 'internal',
          detail: 'no prediction for this cell',
        };
        row.set(target.name, simulatedResult(target.address.url, p));
        // A simulated deny is the policy's own answer: no liveness proof is needed.
        if (p.kind === 'verdict') alive.set(target.name, 'simulated from the manifests');
      }
      results.set(source.name, row);
    }
    return { observations: { results, sourceErrors: new Map(), alive } };
  }
}
