// `prober completion bash|zsh|fish`: prints the shell's completion script for every command and option.

import { Argument, type Command } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { COMPLETION_SHELLS, completionScript } from '../completion.ts';

/** Registers `completion`. */
export function registerCompletion(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  program
    .command('completion')
    .summary('print the shell completion script (bash, zsh, fish)')
    .description('Prints a completion script for the shell, made from the commands and options of this binary.')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(prober completion bash)              # in ~/.bashrc
  source <(prober completion zsh)               # in ~/.zshrc
  prober completion fish | source               # in ~/.config/fish/config.fish`,
    )
    .action((shell) => {
      io.stdout.write(completionScript(program as never, shell));
      finish(0);
    });
}
