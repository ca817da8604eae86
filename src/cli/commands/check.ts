// `prober check`: run a ReachabilityTest whose sources are "here" and judge it.

import type { Command } from 'commander';
import { ConfigError } from '../../config/config-error.ts';
import type { ExitCode } from '../../model/report.ts';
import type { ReachabilityTest, RunDefaults } from '../../model/test-spec.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { addOutputOptions, addProbeOptions, runFlags, type RunFlags } from '../options.ts';

/** The test's defaults with command-line overrides applied. */
export function effectiveDefaults(test: ReachabilityTest, flags: RunFlags): RunDefaults {
  return {
    timeoutMs: flags.timeout ?? test.defaults.timeoutMs,
    attempts: flags.attempts ?? test.defaults.attempts,
    concurrency: flags.concurrency ?? test.defaults.concurrency,
  };
}

/** Registers `check`. */
export function registerCheck(program: Command, finish: (code: ExitCode) => void): void {
  const command = program
    .command('check')
    .summary('run a ReachabilityTest from this machine and compare with its expectations')
    .description(
      'Probes every target of a ReachabilityTest from where prober runs (sources must be `local: true`), ' +
        'compares each cell with the expectation rules and prints the matrix.',
    )
    .requiredOption('-f, --file <test.yaml>', 'the ReachabilityTest to run (- reads it from stdin)');
  addIgnoreKindOption(addProbeOptions(addOutputOptions(command)));
  command.addHelpText(
    'after',
    `
Example:
  prober check -f demo.yaml -o table
  prober check -f demo.yaml -o junit > report.xml

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide (bad input, error cells)`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    // Loaded on use, so commands that do not need them start fast and small.
    const [{ loadReachabilityTest }, { LocalBackend }, { observeAndReport }, { policyVerdictsFor }] = await Promise.all(
      [
        import('../../config/load-test.ts'),
        import('../../probe/local-backend.ts'),
        import('../observe-and-report.ts'),
        import('../policy-model.ts'),
      ],
    );
    const test = await loadReachabilityTest(String(opts.file));
    const remote = test.sources.find((s) => !s.local);
    if (remote) {
      throw new ConfigError(
        test.file,
        remote.origin?.line,
        `spec.sources.${remote.name}`,
        'check probes from here, so every source must be `local: true`; use `prober run` (cluster) or `prober lab test` for workloads',
      );
    }
    const flags = runFlags(opts);
    // A test with `fromPolicies` is judged three ways: observed, written intent, policy model.
    const model = await policyVerdictsFor(test, { ignoreKinds: ignoreKindsFlag(opts) });
    finish(
      await observeAndReport(test, new LocalBackend(effectiveDefaults(test, flags)), flags, model ? { model } : {}),
    );
  });
}
