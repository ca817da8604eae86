// The subcommands of the binary's start bundle (build.mjs puts this module in command-table.ts's place):
// the ones whose start-up someone waits on, an agent in every source pod and a quick `probe`. Their
// help, flags and errors are the full bundle's own: the same register functions.

import type { Register } from './command-table.ts';
import { registerAgent } from './commands/agent.ts';
import { registerProbe } from './commands/probe.ts';
import { START_COMMANDS } from './start-commands.ts';

const ALL: Readonly<Record<(typeof START_COMMANDS)[number], Register>> = { probe: registerProbe, agent: registerAgent };

/** The start bundle's subcommands, in START_COMMANDS's order. */
export const COMMANDS: ReadonlyMap<string, Register> = new Map(START_COMMANDS.map((name) => [name, ALL[name]]));
