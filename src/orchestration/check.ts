// `check`: a ReachabilityTest probed from where prober runs, judged against its rules (and its policies).

import { ConfigError } from '../config/config-error.ts';
import { loadReachabilityTest } from '../config/load-test.ts';
import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import type { KindFilter } from '../policy/index.ts';
import { LocalBackend } from '../probe/local-backend.ts';
import { runChecks } from './checks.ts';
import { observeAndReport } from './observe-and-report.ts';
import { policyVerdictsFor, warnOn } from './policy-model.ts';
import { effectiveDefaults, type RunFlags } from './run-flags.ts';

/** What `prober check` was asked. */
export interface CheckRequest {
  /** The test file; `-` reads stdin. */
  readonly file: string;
  readonly flags: RunFlags;
  /** Kinds left out of the policy model on purpose (`--ignore-kind`). */
  readonly ignoreKinds: readonly KindFilter[];
}

/**
 * Loads the test, probes every target from here, judges each cell against the written rules and, when
 * the test has a `fromPolicies` block, the policy model too; prints the report on `io` and returns the exit code.
 *
 * @example
 *   const code = await runCheck({ file: 'demo.yaml', flags: { output: 'table', color: false }, ignoreKinds: [] }, io);
 */
export async function runCheck(request: CheckRequest, io: Io): Promise<ExitCode> {
  const test = await loadReachabilityTest(request.file, io);
  const affinity = test.checks?.find((c) => c.kind === 'affinity');
  if (affinity)
    throw new ConfigError(
      test.file,
      affinity.origin?.line,
      `spec.checks.${affinity.name}`,
      'check cannot run a zone-affinity check: it is sent from the pods of a workload, each in its zone, and where prober runs has none; run the test with prober lab test',
    );
  const remote = test.sources.find((s) => !s.local);
  if (remote) {
    throw new ConfigError(
      test.file,
      remote.origin?.line,
      `spec.sources.${remote.name}`,
      'check probes from here, so every source must be `local: true`; use `prober run` (cluster) or `prober lab test` for workloads',
    );
  }
  const { flags } = request;
  // A test with `fromPolicies` is judged three ways: observed, written intent, policy model.
  const model = await policyVerdictsFor(test, { ignoreKinds: request.ignoreKinds, warn: warnOn(io), io });
  // Checks beyond the matrix (a rate limit) are sent from here too, once the matrix is observed.
  const checks = test.checks
    ? { checks: (signal: AbortSignal, progress: (message: string) => void) => runChecks(test, signal, progress) }
    : {};
  return observeAndReport(test, new LocalBackend(effectiveDefaults(test, flags)), flags, io, {
    ...(model ? { model } : {}),
    ...checks,
  });
}
