// `lab test`: a ReachabilityTest observed in the running lab, judged against the written rules,
// the policy model of what the lab enforces, or both.

import { ConfigError } from '../config/config-error.ts';
import { loadReachabilityTest } from '../config/load-test.ts';
import { labAffinitySender } from '../lab/lab-affinity.ts';
import { LabBackend } from '../lab/lab-backend.ts';
import { labPhaseSender } from '../lab/lab-rates.ts';
import { labModel, requireState } from '../lab/policies.ts';
import { proberArgv } from '../lab/self.ts';
import { labRoot } from '../lab/state.ts';
import type { Io } from '../model/io.ts';
import type { ModelVerdict } from '../model/matrix.ts';
import type { ExitCode } from '../model/report.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { modelVerdicts, predictTest } from '../policy/index.ts';
import { type CheckSenders, runChecks } from './checks.ts';
import { observeAndReport } from './observe-and-report.ts';
import { phaseByPhase, refuseChecks } from './rate-checks.ts';
import { effectiveDefaults, type RunFlags } from './run-flags.ts';

const LAB_TEST = 'prober lab test';

/** What to judge cells against. */
export type ExpectSource = 'written' | 'policies' | 'both';

/** Inputs of one `lab test`. */
export interface LabTestOptions {
  readonly lab: string;
  readonly file: string;
  readonly flags: RunFlags;
  readonly expect: ExpectSource | undefined;
}

/** The test as it should be judged: written rules dropped when only the model counts. */
function withExpectation(test: ReachabilityTest, expect: ExpectSource): ReachabilityTest {
  if (expect === 'policies') return { ...test, rules: [], expectFromPolicies: true };
  if (test.rules.length === 0 && expect !== 'written') return { ...test, expectFromPolicies: true };
  if (test.rules.length === 0)
    throw new ConfigError(
      test.file,
      undefined,
      'spec.expect',
      'has no written rules to compare with (use --expect policies)',
    );
  return test;
}

/** A test made ready to observe in the lab: what `lab test` and each run of `watch` start from. */
export interface PreparedLabTest {
  readonly test: ReachabilityTest;
  readonly backend: LabBackend;
  /** The policy model's verdicts, when the cells are judged against it. */
  readonly model?: ReadonlyMap<string, ReadonlyMap<string, ModelVerdict>>;
  /** How `lab test` sends its checks from their source pods (a watch refuses them). */
  readonly checks?: CheckSenders;
}

/**
 * Reads the test and the lab's state as they are now (the applied policies included) and builds the
 * backend, the senders of its checks and, when asked, the model of what the lab enforces.
 * Commands other than `lab test` (a watch) refuse a test with checks. Bad input throws ConfigError or UsageError.
 */
export async function prepareLabTest(options: LabTestOptions, io: Io, command = LAB_TEST): Promise<PreparedLabTest> {
  const loaded = await loadReachabilityTest(options.file, io);
  // A watch repeats its runs every interval: a check's seconds of load on the limiter have no place there,
  // and it shows no mismatch causes, so it gathers no evidence for them either.
  const once = command === LAB_TEST;
  if (!once) refuseChecks(loaded, command);
  const expect: ExpectSource =
    options.expect ?? (loaded.expectFromPolicies ? 'policies' : loaded.fromPolicies ? 'both' : 'written');
  const test = withExpectation(loaded, expect);
  const root = labRoot(io.env);
  const state = await requireState(options.lab, root);
  // The model of the lab is what the lab enforces: its manifests and the applied policies,
  // unless the test names its own policy files.
  const model =
    expect === 'written' ? undefined : await labModel(state, test.fromPolicies?.policies ?? state.policies, io);
  const argv = proberArgv();
  const backend = new LabBackend(state, argv, effectiveDefaults(test, options.flags), root);
  return {
    test,
    backend,
    ...(once
      ? {
          checks: {
            rateLimit: phaseByPhase(labPhaseSender(state.topology, test, argv)),
            affinity: labAffinitySender(state.topology, test, argv, state.stopped),
          },
        }
      : {}),
    ...(model ? { model: modelVerdicts(predictTest(model, test, { evidence: once })) } : {}),
  };
}

/** Runs the test in the lab and prints the report on `io`; returns the exit code. */
export async function runLabTest(options: LabTestOptions, io: Io): Promise<ExitCode> {
  const { test, backend, model, checks } = await prepareLabTest(options, io);
  return observeAndReport(test, backend, options.flags, io, {
    ...(model ? { model } : {}),
    // The checks are sent from the source pods once the matrix is observed, judged as `check` judges them.
    ...(test.checks && checks
      ? {
          checks: (signal: AbortSignal, progress: (message: string) => void) =>
            runChecks(test, signal, progress, checks),
        }
      : {}),
  });
}
