// `prober check`: run a ReachabilityTest whose sources are "here" and judge it.

import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { addOutputOptions, addProbeOptions, runFlags } from '../options.ts';

/** Registers `check`. */
export function registerCheck(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const command = addIgnoreKindOption(
    addProbeOptions(
      addOutputOptions(
        program
          .command('check')
          .summary('run a ReachabilityTest from this machine and compare with its expectations')
          .description(
            'Probes every target of a ReachabilityTest from where prober runs (sources must be `local: true`), ' +
              'compares each cell with the expectation rules and prints the matrix.',
          )
          .requiredOption('-f, --file <test.yaml>', 'the ReachabilityTest to run (- reads it from stdin)'),
      ),
    ),
  );
  command.addHelpText(
    'after',
    `
Example:
  prober check -f demo.yaml -o table
  prober check -f demo.yaml -o junit > report.xml
  prober check -f demo.yaml --table compact         # one character per cell, numbered columns
  prober check -f demo.yaml -o html > report.html   # a heatmap page; hover a cell for its reason

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide (bad input, a checked
cell that errored). An error cell no rule names is listed and counted, but leaves the exit code alone.`,
  );
  command.action(async (opts) => {
    // Loaded on use, so commands that do not need them start fast and small.
    const { runCheck } = await import('../../orchestration/check.ts');
    finish(
      await runCheck(
        { file: opts.file, flags: runFlags(opts, io), ignoreKinds: await ignoreKindsFlag(opts.ignoreKind) },
        io,
      ),
    );
  });
}
