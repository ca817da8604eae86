// A zone-affinity check judged: each source pod's answers mapped to the endpoints' pods, nodes and
// zones, judged against the expectation; the check's verdict is the worst of its source pods'.
// Default rule after Kubernetes' test/e2e/network/traffic_distribution.go (checkTrafficDistribution).

import {
  type AffinityCheck,
  type AffinityExpectation,
  affinityExpectationText,
  identityText,
  MIN_AFFINITY_REQUESTS,
} from './affinity.ts';
import type { AffinityMeasurement } from './affinity-plan.ts';
import { type CheckVerdict, worstVerdict } from './checks.ts';

/** Answers in a row from wanted endpoints the e2e test asks for. */
const CONSECUTIVE_ANSWERS = 10;
/** The most requests that may go unanswered for a source pod to be judged. */
const UNANSWERED_SHARE = 0.05;

/** An endpoint of the target Service: its pod, node, that node's zone, and whether it is ready. */
export interface AffinityEndpoint {
  readonly pod: string;
  readonly ips: readonly string[];
  readonly node: string;
  readonly zone?: string;
  readonly ready: boolean;
}

/** What the backend knows of the target: the Service, its settings and its endpoints. */
export interface AffinityTarget {
  /** `namespace/name`. */
  readonly service: string;
  readonly trafficDistribution?: string;
  readonly internalTrafficPolicy?: string;
  readonly endpoints: readonly AffinityEndpoint[];
  /**
   * In a cluster, how many ready endpoints carry no hint for their own zone in the EndpointSlices
   * (`hints.forZones`): kube-proxy then ignores the Service's trafficDistribution and routes to all.
   */
  readonly unhinted?: number;
}

/** One source pod's run: where it sits and what it measured. */
export interface SourceRun {
  readonly pod: string;
  readonly node: string;
  readonly zone?: string;
  readonly measurement: AffinityMeasurement;
}

/** What a backend hands the judgement: the target and every source pod's run, or why nothing ran. */
export type AffinityRun =
  | { readonly why: string; readonly interrupted?: boolean }
  | { readonly target: AffinityTarget; readonly sources: readonly SourceRun[] };

/** Sends a check from its source's pods (where a backend has them) and returns their runs; never throws. */
export type AffinitySender = (check: AffinityCheck, signal: AbortSignal) => Promise<AffinityRun>;

/** One source pod judged. */
export interface SourceResult {
  readonly pod: string;
  readonly zone?: string;
  readonly sent: number;
  /** Answers that named a pod. */
  readonly answered: number;
  /** Answers by the answering pod's zone (`?` for a pod or zone not known). */
  readonly byZone: Readonly<Record<string, number>>;
  /** The share of answers from the source's own zone, when both are known. */
  readonly sameZoneShare?: number;
  readonly verdict: CheckVerdict;
  readonly why: string;
}

/** A zone-affinity check judged. */
export interface AffinityCheckResult {
  readonly name: string;
  readonly kind: 'affinity';
  readonly from: string;
  readonly to: string;
  readonly url: string;
  readonly expected: string;
  /** The Service the target is, when known. */
  readonly service?: string;
  /** What the Service asks for, or that it asks for no affinity (no `trafficDistribution`). */
  readonly setting?: string;
  readonly sources: readonly SourceResult[];
  readonly verdict: CheckVerdict;
  /** Why, when the check could not run at all. */
  readonly why?: string;
}

const CLOSE = ['PreferClose', 'PreferSameZone', 'PreferSameNode'];

/** What the Service asks for, in words. */
function settingText(target: AffinityTarget): string {
  if (target.internalTrafficPolicy === 'Local')
    return `${target.service} has internalTrafficPolicy: Local (same node only, no fallback)`;
  const close = target.trafficDistribution && CLOSE.includes(target.trafficDistribution);
  if (close && target.unhinted)
    return `${target.service} has trafficDistribution: ${target.trafficDistribution}, but ${target.unhinted} of its ready endpoints carry no zone hint in its EndpointSlices: the setting is ignored, every endpoint may answer`;
  if (close) return `${target.service} has trafficDistribution: ${target.trafficDistribution}`;
  return `${target.service} has no trafficDistribution (nor hints): affinity is not asked for`;
}

/** The check judged from its run. */
export function judgeAffinity(check: AffinityCheck, run: AffinityRun): AffinityCheckResult {
  const base = {
    name: check.name,
    kind: 'affinity' as const,
    from: check.from,
    to: check.to,
    url: check.address.url,
    expected: `${affinityExpectationText(check.expect)} · ${check.requests} requests per source pod, who answered from the ${identityText(check.identity)}`,
  };
  if ('why' in run) return { ...base, sources: [], verdict: 'undecided', why: run.why };
  const sources = run.sources.map((s) => judgeSource(check.expect, run.target, s));
  return {
    ...base,
    service: run.target.service,
    setting: settingText(run.target),
    sources,
    ...(sources.length === 0 ? { why: `no pod of ${check.from} to send from` } : {}),
    verdict: sources.length === 0 ? 'undecided' : worstVerdict(sources.map((s) => s.verdict)),
  };
}

/** The endpoint an identity names: by pod name, or by one of its addresses. */
function endpointNamed(target: AffinityTarget, identity: string): AffinityEndpoint | undefined {
  return target.endpoints.find((e) => e.pod === identity) ?? target.endpoints.find((e) => e.ips.includes(identity));
}

/** One source pod's answers judged. */
export function judgeSource(expect: AffinityExpectation, target: AffinityTarget, run: SourceRun): SourceResult {
  const m = run.measurement;
  const answers = m.sequence.filter((i) => i >= 0).map((i) => m.identities[i] ?? '');
  const endpoints = answers.map((id) => endpointNamed(target, id));
  const byZone: Record<string, number> = {};
  for (const e of endpoints) byZone[e?.zone ?? '?'] = (byZone[e?.zone ?? '?'] ?? 0) + 1;
  const same = endpoints.filter((e) => e?.zone !== undefined && e.zone === run.zone).length;
  const base = {
    pod: run.pod,
    ...(run.zone ? { zone: run.zone } : {}),
    sent: m.sent,
    answered: answers.length,
    byZone,
    ...(run.zone && answers.length > 0 ? { sameZoneShare: same / answers.length } : {}),
  };
  const undecided = (why: string): SourceResult => ({ ...base, verdict: 'undecided', why });
  const decided = (ok: boolean, yes: string, no: string): SourceResult => ({
    ...base,
    verdict: ok ? 'met' : 'not-met',
    why: ok ? yes : no,
  });
  const failed = m.failures.timeout + m.failures.refused + m.failures.error;
  const failure = m.firstFailure ? ` (${m.firstFailure})` : '';
  if (m.interrupted) return undecided(`interrupted after ${m.sent} requests`);
  if (m.sent === 0 && m.firstFailure) return undecided(`nothing was sent: ${m.firstFailure}`);
  if (m.sent > 0 && m.sequence.length === 0)
    return undecided(`the target never answered: ${failed} requests failed${failure}`);
  const unnamed = m.sequence.filter((i) => i < 0).length;
  if (unnamed > 0)
    return undecided(`${unnamed} answers named no pod (no ${m.identities.length > 0 ? 'usable ' : ''}identity)`);
  if (run.zone === undefined) return undecided(`the source's node ${run.node} has no zone`);
  const unknown = answers.find((_, i) => endpoints[i] === undefined);
  if (unknown !== undefined)
    return undecided(`an answer came from "${unknown.slice(0, 100)}", which is no pod of ${target.service}`);
  const zoneless = endpoints.find((e) => e?.zone === undefined);
  if (zoneless) return undecided(`the endpoint ${zoneless.pod}'s node ${zoneless.node} has no zone`);
  if (answers.length < MIN_AFFINITY_REQUESTS)
    return undecided(`too few answers: ${answers.length} (at least ${MIN_AFFINITY_REQUESTS})`);
  if (failed > m.sent * UNANSWERED_SHARE) return undecided(`${failed} of ${m.sent} requests got no answer${failure}`);
  const ready = target.endpoints.filter((e) => e.ready);
  const local = ready.filter((e) => e.zone === run.zone);
  const percent = (share: number): string => `${Math.round(share * 1000) / 10} %`;
  const share = same / answers.length;
  switch (expect.kind) {
    case 'sameZone':
      if (local.length === 0)
        return decided(true, `${run.zone} has no ready endpoint: every zone may answer (the fallback)`, '');
      return decided(
        share >= expect.share,
        `${percent(share)} from ${run.zone}, at least ${expect.written}`,
        `${percent(share)} from ${run.zone}, below ${expect.written}`,
      );
    case 'spread': {
      const unreached = ready.filter((e) => !answers.includes(e.pod) && !e.ips.some((ip) => answers.includes(ip)));
      return decided(
        unreached.length === 0,
        `every ready endpoint answered (${percent(share)} from ${run.zone})`,
        `${unreached.length} of ${ready.length} ready endpoints never answered (${names(unreached)}); ${percent(share)} from ${run.zone}`,
      );
    }
    case 'default':
      return e2eRule(base, run.zone, local.length > 0 ? local : ready, local.length === 0, answers, endpoints);
  }
}

/** `paperino-0, paperino-2` (at most five named). */
function names(endpoints: readonly AffinityEndpoint[]): string {
  const shown = endpoints.slice(0, 5).map((e) => e.pod);
  return endpoints.length > 5 ? `${shown.join(', ')} …` : shown.join(', ');
}

/**
 * checkTrafficDistribution of the e2e test: from the newest answer back, every answer must come from
 * a wanted endpoint until at least CONSECUTIVE_ANSWERS have and every wanted endpoint has answered.
 */
function e2eRule(
  base: Omit<SourceResult, 'verdict' | 'why'>,
  zone: string,
  wanted: readonly AffinityEndpoint[],
  fallback: boolean,
  answers: readonly string[],
  endpoints: readonly (AffinityEndpoint | undefined)[],
): SourceResult {
  const where = fallback
    ? `every ready endpoint (${zone} has none ready: the fallback)`
    : `the ${wanted.length} ready endpoints of ${zone}`;
  const unreached = new Set(wanted.map((e) => e.pod));
  let inRow = 0;
  for (let i = answers.length - 1; i >= 0; i--) {
    const endpoint = endpoints[i];
    if (!endpoint || !wanted.includes(endpoint))
      return {
        ...base,
        verdict: 'not-met',
        why: `answered by ${endpoint?.pod ?? answers[i]} (${endpoint?.zone ?? '?'}), outside ${where}`,
      };
    inRow++;
    unreached.delete(endpoint.pod);
    if (inRow >= CONSECUTIVE_ANSWERS && unreached.size === 0)
      return {
        ...base,
        verdict: 'met',
        why: fallback
          ? `${zone} has no ready endpoint: every ready endpoint answered, as the fallback asks`
          : `only the ${wanted.length} ready endpoints of ${zone} answered, each of them`,
      };
  }
  return {
    ...base,
    verdict: 'not-met',
    why: `${unreached.size} of ${wanted.length} wanted endpoints never answered (${[...unreached].slice(0, 5).join(', ')})`,
  };
}
