// The binary's entry point: what must come first, then `--version` at once or any other command line.

import { writeSync } from 'node:fs';
import { standInExit } from '../probe/lookup.ts';
import { exitCodeAfter } from './output.ts';
import { versionLine } from './version-line.ts';

// The stand-in a run with name lookups still in libuv's threads executes to exit at once.
standInExit(process.env);

/**
 * `prober --version` (or `-V`) and nothing else: the line written straight to stdout's descriptor, before
 * the command tree, Node's stdout and stderr streams (and the stream modules under them) are made: those
 * were most of what `--version` spent beyond starting Node. Ends the process unless stdout would block
 * (a full non-blocking pipe): that command line then goes the ordinary way.
 */
function printVersionOnly(argv: readonly string[]): void {
  if (argv.length !== 1 || (argv[0] !== '--version' && argv[0] !== '-V')) return;
  let failure: string | undefined;
  try {
    writeSync(1, `${versionLine()}\n`);
  } catch (error) {
    failure = (error as NodeJS.ErrnoException).code ?? String(error);
    if (failure === 'EAGAIN') return;
  }
  const { code, message } = exitCodeAfter(0, failure);
  try {
    if (message) writeSync(2, message);
  } catch {
    // A closed stderr has no one to tell.
  }
  process.exit(code);
}
printVersionOnly(process.argv.slice(2));

/**
 * The subcommands this bundle holds when it is the binary's start bundle (build.mjs defines it there);
 * undefined in the full bundle and from source, which hold every command.
 */
declare const PROBER_START_COMMANDS: readonly string[] | undefined;

// A dynamic import: the bundle initialises the commands' modules only here, after the lines above. The
// start bundle hands any command line but its own (help, a flag before the command) to the full one.
if (typeof PROBER_START_COMMANDS === 'undefined' || PROBER_START_COMMANDS.includes(process.argv[2] ?? '')) {
  void import('./process-run.ts');
} else {
  void import('./bundle-asset.ts').then(({ BUNDLES, runBundle }) => runBundle(BUNDLES.full, require, process.env));
}
