// Reading an agent's results from its container log, and accounting for every probe of its plan: the
// kubelet rotates container logs and serves only the newest file, so the beginning of a long output is lost.

import type { ProbeResult } from '../model/outcome.ts';
import { type ProbePlan, parseAgentOutput } from '../model/plan.ts';
import type { ContainerOutcome } from './agent-wait.ts';

/**
 * The kubelet's default `containerLogMaxSize` (10Mi, `pkg/kubelet/logs/container_log_manager.go`): past
 * it the log file is rotated, and `pods/log` serves only the current file.
 */
export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** A result line's fixed fields and a typical detail (an HTTP body excerpt, an address), beyond id and URL. */
const LINE_OVERHEAD_BYTES = 300;

/** About how many bytes of log an agent prints for a plan: one line per probe, id and URL usually twice. */
function expectedLogBytes(plan: ProbePlan): number {
  let bytes = 200;
  for (const probe of plan.probes) bytes += LINE_OVERHEAD_BYTES + 2 * (probe.id.length + probe.url.length);
  return bytes;
}

/** The warning for a plan whose output may pass the kubelet's log rotation size; undefined when it fits. */
export function logSizeWarning(plan: ProbePlan): string | undefined {
  const bytes = expectedLogBytes(plan);
  if (bytes <= CONTAINER_LOG_MAX_BYTES) return undefined;
  const mib = (bytes / 1024 / 1024).toFixed(1);
  return `${plan.source}: its ${plan.probes.length} probes may print about ${mib} MiB, more than the 10Mi the kubelet keeps in one container log file by default (containerLogMaxSize): results printed before a rotation are lost and reported as errors; split the targets over several tests`;
}

/** What one agent run gave: its results (an error cell for each probe without one), or why there are none. */
export type Collected = { readonly results: Map<string, ProbeResult> } | { readonly error: string };

/**
 * Turns the agent's log into results. Incomplete output (no AgentDone line) is a source error, never
 * partial trust. A complete output missing some probes' results (their lines were rotated away) gives
 * those probes an error cell naming the cause: never a silent allow or deny.
 */
export function collectLog(
  log: string,
  plan: ProbePlan,
  outcome: ContainerOutcome & { kind: 'terminated' },
): Collected {
  const parsed = parseAgentOutput(log);
  if (parsed.complete) return { results: accountForEveryProbe(plan, parsed.results) };
  if (parsed.error) return { error: parsed.error };
  const lastLine = log.trim().split('\n').filter(Boolean).pop() ?? '';
  const said = (outcome.message || lastLine).trim().split('\n').pop()?.slice(0, 200);
  const how = `exit code ${outcome.exitCode}${outcome.reason ? `, ${outcome.reason}` : ''}`;
  // An agent that exited 0 printed its final line: the log served lost it to a rotation.
  const rotated =
    outcome.exitCode === 0
      ? '; the agent exited 0, so its final line was rotated out of the log the API server serves (containerLogMaxSize, 10Mi by default)'
      : '';
  return {
    error: `the agent stopped before finishing (${how}; ${parsed.results.size} of its results arrived)${said ? `: ${said}` : ''}${rotated}`,
  };
}

/** The results, plus an error result for each probe of the plan that has none. */
function accountForEveryProbe(plan: ProbePlan, results: Map<string, ProbeResult>): Map<string, ProbeResult> {
  const missing = plan.probes.filter((probe) => !results.has(probe.id));
  if (missing.length === 0) return results;
  const detail = `no result in the agent's log, though the agent finished: the kubelet rotates container logs at containerLogMaxSize (10Mi by default) and the API server serves only the newest file (${missing.length} of the agent's ${plan.probes.length} results are missing)`;
  const all = new Map(results);
  for (const probe of missing)
    all.set(probe.id, { url: probe.url, observed: 'error', reason: 'agent', latencyMs: 0, attempts: 0, detail });
  return all;
}
