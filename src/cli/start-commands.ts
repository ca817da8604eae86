// The subcommands the binary runs from its start bundle (src/cli/main.ts routes every other command line
// to the full bundle). A name here needs its register function in command-table-start.ts; the compiler
// checks the two agree.

export const START_COMMANDS = ['probe', 'agent'] as const;
