// The settings a run takes from the command line, and how they override a test's own defaults.

import type { ReachabilityTest, RunDefaults } from '../model/test-spec.ts';
import type { OutputFormat, TableStyle } from '../report/formats.ts';

/** Run flags common to every command that probes (parsed by cli/options.ts). */
export interface RunFlags {
  readonly output: OutputFormat;
  readonly timeout?: number;
  readonly attempts?: number;
  readonly concurrency?: number;
  /** The settle window of tcp:// probes (0: off); it replaces the test's default, not a target's own. */
  readonly settle?: number;
  readonly color: boolean;
  /** `-o table`: wide, compact, or whichever fits `width` (auto). */
  readonly table?: TableStyle;
  /** Characters per line of the reader's terminal (stdout's columns on a terminal, else COLUMNS, else 120). */
  readonly width?: number;
}

/** The test's defaults with command-line overrides applied. */
export function effectiveDefaults(test: ReachabilityTest, flags: RunFlags): RunDefaults {
  return {
    timeoutMs: flags.timeout ?? test.defaults.timeoutMs,
    attempts: flags.attempts ?? test.defaults.attempts,
    concurrency: flags.concurrency ?? test.defaults.concurrency,
    ...((flags.settle ?? test.defaults.settleMs) !== undefined
      ? { settleMs: flags.settle ?? test.defaults.settleMs }
      : {}),
  };
}
