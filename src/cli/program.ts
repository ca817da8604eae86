// The command tree: every subcommand registered on one commander program; the CLI's single decision point.

import { Command, CommanderError, Option, type OutputConfiguration } from '@commander-js/extra-typings';
import { ClusterError } from '../cluster/cluster-error.ts';
import { ConfigError } from '../config/config-error.ts';
import type { Io, Logger, OutputStream, ProcessIo } from '../model/io.ts';
import type { ExitCode } from '../model/report.ts';
import { UsageError } from '../orchestration/usage-error.ts';
import { PROBER_VERSION } from '../orchestration/version.ts';
import { escapeText } from '../report/escape.ts';
import { COMMANDS } from './command-table.ts';
import { createLogger, LOG_FORMATS, logFlags } from './log.ts';
import { versionLine } from './version-line.ts';

/**
 * The subcommands a command line needs: the one it names, none for `--version`, all of them otherwise
 * (the program's help, `help`, a typo commander suggests a command for, `completion`, which describes
 * every command). Declaring every command's flags was a third of `prober --version`'s start-up, and an
 * agent in a pod, or a `probe`, pays it on every start; a subcommand's help and parsing never look at
 * its siblings.
 */
function commandsFor(argv: readonly string[]): readonly string[] {
  const first = argv[0] ?? '';
  if (first === '-V' || first === '--version') return [];
  if (COMMANDS.has(first) && first !== 'completion') return [first];
  return [...COMMANDS.keys()];
}

/**
 * The command tree, writing through `io`: commander's help, version and usage errors included. `names`
 * limits it to those subcommands (commandsFor); the whole tree by default.
 */
export function buildProgram(
  finish: (code: ExitCode) => void,
  io: Io,
  names: readonly string[] = [...COMMANDS.keys()],
): Command {
  const program = new Command('prober')
    .description(
      'Proves what Kubernetes network policies and service-mesh authorization really allow: ' +
        'probes from the real workloads, builds a reachability matrix, compares it with the intended one.',
    )
    .version(versionLine(), '-V, --version', 'print the version and the embedded Node version')
    // Taken out of the command line before commander parses it (logFlags); declared for --help.
    .option(
      '-v, --verbose [level]',
      'log on stderr what prober does: -v its steps, -vv details, -vvv everything (or -v 0-3)',
    )
    .addOption(
      new Option('--log-format <format>', 'log lines as text, or as one JSON object per line')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput(commanderOutput(io))
    .addHelpText(
      'after',
      `
Exit codes: 0 every checked cell matched · 1 at least one mismatch · 2 the run could not decide
(bad input, unreachable cluster, failed agent, a checked cell that errored). An error cell no rule
names is listed and counted, but leaves the exit code alone.

Environment: NO_COLOR (no colour in tables), COLUMNS (the table's width off a terminal), PROBER_DEBUG
(stack traces of unexpected errors). Every command, flag and variable: docs/cli.md in the repository.`,
    );
  for (const name of names) COMMANDS.get(name)?.(program, finish, io);
  for (const command of program.commands) command.exitOverride().configureOutput(commanderOutput(io));
  checkRequiredAfterUnknown(program);
  return program;
}

/**
 * Commander's output through `io` instead of the process's streams. The help's width is a terminal's
 * (commander's own default); the help has no colour of its own, so any escape code is stripped.
 */
function commanderOutput(io: Io): OutputConfiguration {
  // Commander's typing says number; its own default is undefined off a terminal.
  const width = (stream: OutputStream) => (stream.isTTY ? stream.columns : undefined) as number;
  return {
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    getOutHelpWidth: () => width(io.stdout),
    getErrHelpWidth: () => width(io.stderr),
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  };
}

/**
 * Commander checks required options before unknown ones, so `check --fle x.yaml` said "-f missing"
 * instead of naming the typo and what was meant. Required options are therefore checked in a
 * preAction hook, which runs after the unknown-option check, with commander's own message.
 */
function checkRequiredAfterUnknown(program: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (command: Command): void => {
    const options = command.options.filter((option) => option.mandatory);
    for (const option of options) option.mandatory = false;
    if (options.length > 0) required.set(command, options as Option[]);
    for (const sub of command.commands) walk(sub as Command);
  };
  walk(program);
  program.hook('preAction', (_program, action) => {
    for (const option of required.get(action as Command) ?? [])
      if (action.getOptionValue(option.attributeName()) === undefined)
        action.error(`error: required option '${option.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
  });
}

/** `help lab up` as `lab up --help`: commander's help command takes one word and would show `lab`'s help. */
function helpOfSubcommand(argv: readonly string[]): readonly string[] {
  return argv[0] === 'help' && argv.length > 2 ? [...argv.slice(1), '--help'] : argv;
}

/**
 * The process's context with `log`. Not a spread: that would read `stdin`, whose getter makes Node open
 * the stream (a tenth of `--version`'s start-up), though only a command reading `-` needs it.
 */
function withLogger(processIo: ProcessIo, log: Logger): Io {
  return {
    get stdin() {
      return processIo.stdin;
    },
    stdout: processIo.stdout,
    stderr: processIo.stderr,
    env: processIo.env,
    cwd: processIo.cwd,
    now: processIo.now,
    log,
  };
}

/**
 * Runs the CLI with `processIo` as its outside world (and the logger `-v`/`--log-format` ask for) and
 * returns the exit code; never throws. Bad input (ConfigError, UsageError, a commander usage error)
 * prints one line on stderr and gives 2; anything unexpected also gives 2.
 */
export async function runCli(argv: readonly string[], processIo: ProcessIo): Promise<ExitCode> {
  let code: ExitCode = 0;
  let io = withLogger(processIo, createLogger(processIo.stderr, 0, 'text', processIo.now));
  try {
    const flags = logFlags(argv);
    io = withLogger(processIo, createLogger(processIo.stderr, flags.level, flags.format, processIo.now));
    const argvOfCommand = helpOfSubcommand(flags.argv);
    const program = buildProgram(
      (result) => {
        code = result;
      },
      io,
      commandsFor(argvOfCommand),
    );
    io.log.log(3, 'start', { version: PROBER_VERSION, node: process.version, argv: flags.argv.join(' ') });
    if (flags.argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync([...argvOfCommand], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr.write(`prober: ${escapeText(error.toString().replace(/^UsageError: /, ''))}\n`);
      return 2;
    }
    // Cluster failures already say everything in their message (their cause is for PROBER_DEBUG).
    if (error instanceof ClusterError) {
      io.stderr.write(`prober: ${escapeText(error.message)}\n`);
      if (io.env.PROBER_DEBUG) io.stderr.write(`${error.stack}\n`);
      return 2;
    }
    const cause =
      error instanceof Error &&
      error.cause instanceof Error &&
      !error.message.includes(error.cause.message.split('\n')[0] ?? '')
        ? `: ${error.cause.message.split('\n')[0]}`
        : '';
    io.stderr.write(`prober: ${escapeText(`${error instanceof Error ? error.message : String(error)}${cause}`)}\n`);
    if (io.env.PROBER_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    return 2;
  }
}
