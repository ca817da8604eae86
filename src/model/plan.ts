// The probe plan an agent executes and the lines it prints: the contract between orchestrators and agents.

import type { IpFamily } from './family.ts';
import type { Frozen } from './json-schema.ts';
import type { Observed, ProbeResult, Reason, Verdict } from './outcome.ts';
import type { PlannedProbeDocument, ProbePlanDocument, ProxyReadyDocument } from './plan-schema.ts';
import { decide } from './rules.ts';
import { type ReachabilityTest, type RunDefaults, ruleTargetName, type StatusSet } from './test-spec.ts';

/** One probe in a plan. `expect` lets the agent stop retrying once the cell agrees. Its schema: plan-schema.ts. */
export type PlannedProbe = Frozen<PlannedProbeDocument>;

/** The sidecar proxy an agent waits for before probing. Its schema: plan-schema.ts. */
export type ProxyReady = Frozen<ProxyReadyDocument>;

/** What `prober agent` reads: all probes of one source. Its schema: plan-schema.ts. */
export type ProbePlan = Frozen<ProbePlanDocument>;

/**
 * The most a probe plan may hold (16 MiB), however it reaches an agent: `--plan FILE`, stdin,
 * `$PROBER_PLAN` or one line on a resident agent's socket. A plan for a test of the largest size
 * fits; anything longer is refused before it costs the agent memory.
 */
export const MAX_PLAN_BYTES = 16 * 1024 * 1024;

/**
 * The environment variable that carries a plan gzip-compressed and base64-encoded (about an eighth of
 * its JSON), so an ephemeral agent leaves little in a pod's spec. `PROBER_PLAN` (plain JSON) is still read.
 */
export const PLAN_GZ_ENV = 'PROBER_PLAN_GZ';

/** One result line an agent prints. */
export interface ProbeResultLine extends ProbeResult {
  readonly kind: 'ProbeResult';
  readonly id: string;
}

/** The last line an agent prints, so a reader knows the output is complete. */
export interface AgentDoneLine {
  readonly kind: 'AgentDone';
  readonly source: string;
  readonly probes: number;
  readonly durationMs: number;
  readonly hostname: string;
  /** Peak resident memory of the agent process, in KiB. */
  readonly maxRssKb?: number;
}

const OBSERVED: readonly Observed[] = ['allow', 'deny', 'error'];

/**
 * Parses agent output (e.g. a container log) into results by probe id. Lines that are not JSON
 * objects of a known kind are ignored, because runtimes may interleave their own messages.
 * `complete` is true only when the AgentDone line was seen.
 */
export function parseAgentOutput(text: string): {
  results: Map<string, ProbeResult>;
  complete: boolean;
  done?: AgentDoneLine;
  /** Why the agent gave up without probing (its AgentError line). */
  error?: string;
} {
  const results = new Map<string, ProbeResult>();
  let done: AgentDoneLine | undefined;
  let error: string | undefined;
  for (const line of text.split('\n')) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.slice(start));
    } catch {
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const record = value as Record<string, unknown>;
    if (
      record.kind === 'ProbeResult' &&
      typeof record.id === 'string' &&
      OBSERVED.includes(record.observed as Observed)
    ) {
      results.set(record.id, {
        url: String(record.url ?? ''),
        observed: record.observed as Observed,
        reason: String(record.reason ?? 'internal') as Reason,
        latencyMs: Number(record.latencyMs ?? 0),
        attempts: Number(record.attempts ?? 1),
        ...(typeof record.detail === 'string' ? { detail: record.detail } : {}),
      });
    } else if (record.kind === 'AgentDone') {
      done = record as unknown as AgentDoneLine;
    } else if (record.kind === 'AgentError' && typeof record.message === 'string') {
      error = record.message;
    }
  }
  return { results, complete: done !== undefined, ...(done ? { done } : {}), ...(error ? { error } : {}) };
}

/** The plan for one source of a test: every target, with the cell's written expectation when there is one. */
export function planFor(
  source: string,
  targets: readonly {
    name: string;
    url: string;
    timeoutMs?: number;
    settleMs?: number;
    expectStatus?: StatusSet;
    denyStatus?: StatusSet;
    family?: IpFamily;
    payloadHex?: string;
  }[],
  defaults: ProbePlan['defaults'],
  expectation: (target: string) => Verdict | undefined,
): ProbePlan {
  const probes = targets.map((target) => {
    const expect = expectation(target.name);
    return {
      id: target.name,
      url: target.url,
      ...(expect ? { expect } : {}),
      ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {}),
      ...(target.settleMs !== undefined ? { settleMs: target.settleMs } : {}),
      ...(target.expectStatus ? { expectStatus: target.expectStatus } : {}),
      ...(target.denyStatus ? { denyStatus: target.denyStatus } : {}),
      ...(target.family ? { family: target.family } : {}),
      ...(target.payloadHex !== undefined ? { payloadHex: target.payloadHex } : {}),
    };
  });
  return { apiVersion: 'prober/v1alpha1', kind: 'ProbePlan', source, defaults, probes };
}

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
