// `prober lint`'s analysis: every check over one policy model, findings in a stable order. Pure.
import type { LintResult } from '../../model/lint.ts';
import type { Model } from '../model.ts';
import { egressWithoutDns } from './dns.ts';
import { type Finding, sortFindings } from './findings.ts';
import { Reachability, unreachableServices, unreachableWorkloads } from './reach.ts';
import { ipBlocksOverlappingPods, unexposedNamedPorts } from './rule-peers.ts';
import { peersMatchingNothing, policiesSelectingNothing } from './selection.ts';
import { shadowedRules } from './shadow.ts';

export { withDnsServer } from './dns.ts';

/** How to lint. */
export interface LintOptions {
  /** The DNS workload `withDnsServer` added (not in the manifests): never reported on itself. */
  readonly assumedDns?: string | undefined;
}

/**
 * Runs every check. Without any workload in the manifests, only the checks that need none run (a
 * policy file alone selects nothing, which says nothing about the policies).
 *
 * @example
 *   const { input, assumed } = withDnsServer(cluster);
 *   lint(buildModel(input), { assumedDns: assumed }).findings;
 */
export function lint(model: Model, options: LintOptions = {}): LintResult {
  const { engine, policies } = model;
  const skip = new Set(options.assumedDns ? [options.assumedDns] : []);
  const real = engine.cluster.workloads.filter((w) => !skip.has(w.id)).length;
  const findings: Finding[] = [...shadowedRules(engine, policies), ...ipBlocksOverlappingPods(engine, policies)];
  if (real > 0) {
    const reach = new Reachability(model);
    findings.push(
      ...policiesSelectingNothing(engine, policies),
      ...peersMatchingNothing(engine, policies),
      ...unexposedNamedPorts(engine, policies),
      ...egressWithoutDns(model, options.assumedDns),
      ...unreachableWorkloads(model, reach, skip),
      ...unreachableServices(model, reach),
    );
  }
  return {
    findings: sortFindings(findings),
    policies: policies.length,
    workloads: real,
    services: model.services.length,
  };
}
