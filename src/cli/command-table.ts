// Every subcommand of the binary, in the order `--help` lists them. The binary's start bundle replaces this
// module with command-table-start.ts (build.mjs): the commands an agent or a quick probe runs start from
// a bundle that holds only them, and every other command line goes to the full bundle.

import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { registerAgent } from './commands/agent.ts';
import { registerCheck } from './commands/check.ts';
import { registerCleanup } from './commands/cleanup.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerLab } from './commands/lab.ts';
import { registerLint } from './commands/lint.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerProbe } from './commands/probe.ts';
import { registerRun } from './commands/run.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerWatch } from './commands/watch.ts';

/** Registers a subcommand; it reports its exit code through `finish` and reaches the outside world through `io`. */
export type Register = (program: Command, finish: (code: ExitCode) => void, io: Io) => void;

/** Every subcommand by its name, in the order `--help` lists them. */
export const COMMANDS: ReadonlyMap<string, Register> = new Map([
  ['run', registerRun],
  ['probe', registerProbe],
  ['check', registerCheck],
  ['agent', registerAgent],
  ['serve', registerServe],
  ['simulate', registerSimulate],
  ['lint', registerLint],
  ['migrate', registerMigrate],
  ['lab', registerLab],
  ['watch', registerWatch],
  ['cleanup', registerCleanup],
  ['completion', registerCompletion],
]);
