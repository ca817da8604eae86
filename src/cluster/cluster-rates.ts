// Rate-limit checks through the cluster: every phase of a check sent by one agent in the check's source
// pod (check-agents.ts), which prints one measurement line per phase to its log; the phases it did not
// measure are said to be unsent, with why, so the judgement (model/rate-judgement.ts) can only say
// "could not decide" for them.

import { type RateMeasurement, unsentMeasurement } from '../model/rate-judgement.ts';
import type { RateLimitCheck } from '../model/rate-limit.ts';
import { measurementOfLine } from '../model/rate-lines.ts';
import { type CheckSender, rateCheckPlanMs, rateCheckPlanOf } from '../model/rate-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { type CheckAgentEnv, type CheckAgentRun, runCheckAgent } from './check-agents.ts';

/** The measurements of a check from its agent's lines, in phase order, up to the first phase missing. */
function measured(check: RateLimitCheck, lines: readonly Record<string, unknown>[]): RateMeasurement[] {
  const out: RateMeasurement[] = [];
  for (const [i] of check.phases.entries()) {
    const found = lines.map((line) => measurementOfLine(line, i)).find((m) => m !== undefined);
    if (!found) break;
    out.push(found);
  }
  return out;
}

/**
 * The sender of a test's checks from its cluster sources: one agent per check, in a pod of the check's
 * source. An interrupted check keeps the phases its agent had measured; the rest are not run.
 */
export function clusterCheckSender(env: CheckAgentEnv, test: ReachabilityTest): CheckSender {
  return async (check, signal, progress) => {
    const source = test.sources.find((s) => s.name === check.from);
    const unsent = (why: string): RateMeasurement[] => check.phases.map((phase) => unsentMeasurement(phase, why));
    if (!source) return unsent(`no source named ${check.from}`);
    const plan = rateCheckPlanOf(check, source.name);
    progress(`check ${check.name}: ${check.phases.length} phases from a pod of ${source.name}`);
    let run: CheckAgentRun;
    try {
      run = await runCheckAgent(
        env,
        {
          source,
          ordinal: test.checks?.indexOf(check) ?? 0,
          plan,
          runMs: rateCheckPlanMs(plan),
          // A sender's memory grows with its connections, as an agent's with its probes.
          weight: check.maxInFlight,
        },
        signal,
        progress,
      );
    } catch (error) {
      // An API error (a 403, the server gone) decides nothing about the limit, and the matrix's report stands.
      run = { error: error instanceof Error ? error.message : String(error) };
    }
    if (signal.aborted) return 'lines' in run ? measured(check, run.lines) : [];
    if ('error' in run) return unsent(run.pod ? `the agent in ${run.pod} failed: ${run.error}` : run.error);
    const measurements = measured(check, run.lines);
    const why = run.done
      ? `the agent in ${run.pod} finished without measuring it`
      : `the agent in ${run.pod} stopped before measuring it`;
    return [...measurements, ...check.phases.slice(measurements.length).map((phase) => unsentMeasurement(phase, why))];
  };
}
