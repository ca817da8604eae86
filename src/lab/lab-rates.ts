// Rate-limit checks in the lab: each phase sent by `prober agent --rate` started in the source pod's
// namespace (`ip netns exec`, as the lab's agents are when no resident one answers). The plan goes in
// on the sender's stdin and its measurement comes back on its stdout: pipes on the host, never the
// network under test (trust rule 1).

import { type RateMeasurement, unsentMeasurement } from '../model/rate-judgement.ts';
import type { RateLimitCheck, RatePhase } from '../model/rate-limit.ts';
import { type PhaseSender, type RateMeasurementLine, ratePlanOf } from '../model/rate-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { podsMatching } from './endpoints.ts';
import { runSender } from './sender-process.ts';
import type { LabTopology } from './topology-types.ts';

/** How long past its phase and its last request's deadline a sender may take before it is stopped. */
const GRACE_MS = 10_000;

/** The namespace a check is sent from, or why there is none. */
function sourceNetns(
  topology: LabTopology,
  test: ReachabilityTest,
  check: Pick<RateLimitCheck, 'from'>,
): string | { why: string } {
  const source = test.sources.find((s) => s.name === check.from);
  if (!source || source.local)
    return { why: `the source ${check.from} is local: local sources have no place in the lab` };
  const pod = podsMatching(topology, source.namespace, source.selector)[0];
  if (pod) return pod.netns;
  const selector = Object.entries(source.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return { why: `no lab pod in ${source.namespace} matches ${selector || 'any labels'}` };
}

/** The measurement line among a sender's output, if it printed one. */
function measurementIn(stdout: string): RateMeasurement | undefined {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<RateMeasurementLine>;
      if (parsed.kind !== 'RateMeasurement') continue;
      const { kind: _, ...measurement } = parsed as RateMeasurementLine;
      return measurement;
    } catch {}
  }
  return undefined;
}

/** Runs the sender of one phase in `netns`; resolves its measurement, or why there is none. */
async function sendIn(
  netns: string,
  prober: readonly string[],
  check: RateLimitCheck,
  phase: RatePhase,
  signal: AbortSignal,
): Promise<RateMeasurement> {
  const plan = JSON.stringify(ratePlanOf(check, phase));
  const exit = await runSender(netns, prober, '--rate', plan, phase.durationMs + check.timeoutMs + GRACE_MS, signal);
  if (!exit.started) return unsentMeasurement(phase, exit.why);
  const measurement = measurementIn(exit.stdout);
  if (measurement) return measurement;
  // Stopped before it could report (an interrupt while it was starting): nothing sent, and that is why.
  if (signal.aborted) return { ...unsentMeasurement(phase, 'interrupted'), interrupted: true };
  return unsentMeasurement(phase, exit.why);
}

/** The sender of a test's checks in the lab: each phase from the first lab pod of the check's source. */
export function labPhaseSender(topology: LabTopology, test: ReachabilityTest, prober: readonly string[]): PhaseSender {
  return (check, phase, signal) => {
    const netns = sourceNetns(topology, test, check);
    if (typeof netns !== 'string') return Promise.resolve(unsentMeasurement(phase, netns.why));
    return sendIn(netns, prober, check, phase, signal);
  };
}
