// `probe URL…`: ad-hoc probes from where prober runs, judged as a one-row matrix.

import type { Verdict } from '../model/outcome.ts';
import { adHocExitCode, type ExitCode } from '../model/report.ts';
import { DEFAULTS, type ReachabilityTest, type TargetSpec } from '../model/test-spec.ts';
import { LocalBackend } from '../probe/local-backend.ts';
import { observeAndReport } from './observe-and-report.ts';
import type { RunFlags } from './run-flags.ts';

/** What `prober probe` was asked. */
export interface ProbeRequest {
  /** The parsed URLs, in the order given; each names its own column. */
  readonly targets: readonly TargetSpec[];
  /** With `--expect`, every cell is judged against this verdict; without, the run only observes. */
  readonly expect: Verdict | undefined;
  readonly flags: RunFlags;
}

/**
 * Probes each target once (unless `--attempts` says otherwise) from here, prints the one-row matrix
 * with every cell listed and returns the exit code: judged with `expect`, else 0 unless a probe errored.
 *
 * @example
 *   await probeFromHere({ targets, expect: 'deny', flags: { output: 'json', color: false } });
 */
export async function probeFromHere(request: ProbeRequest): Promise<ExitCode> {
  const { expect, flags } = request;
  const test: ReachabilityTest = {
    name: 'probe',
    file: '<command line>',
    defaults: DEFAULTS,
    sources: [{ name: 'here', local: true }],
    targets: request.targets,
    rules: expect ? [{ from: '*', to: '*', verdict: expect }] : [],
    expectFromPolicies: false,
  };
  // Ad-hoc probes answer quickly by default: one attempt of 2 s, unless the flags say otherwise.
  const defaults = {
    timeoutMs: flags.timeout ?? 2000,
    attempts: flags.attempts ?? 1,
    concurrency: flags.concurrency ?? DEFAULTS.concurrency,
    ...(flags.settle !== undefined ? { settleMs: flags.settle } : {}),
  };
  return observeAndReport(
    test,
    new LocalBackend(defaults),
    flags,
    expect ? { listAll: true } : { exitCode: adHocExitCode, listAll: true },
  );
}
