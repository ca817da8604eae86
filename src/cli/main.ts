// The binary's entry point and the one place that sets the process exit code.

import { wasInterrupted } from '../orchestration/interrupts.ts';
import { exitLeavingLookups, lookupsRunning, reserveLookupThreads, standInExit } from '../probe/lookup.ts';
import { runCli } from './program.ts';

// The stand-in a run with name lookups still in libuv's threads executes to exit at once.
standInExit();
// Before anything starts libuv's thread pool: hung name lookups must leave threads for file I/O.
reserveLookupThreads();

// A reader that stops early (`prober … | head`) closes the pipe: that is not an error of prober's.
// Any other failure to write (a full disk) is: one line and exit 2, not a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  process.stderr.write(`prober: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(2);
});

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // The command has cleaned up and printed its report; neither a run whose name lookups outlived their
  // deadlines (getaddrinfo cannot be cancelled) nor an interrupted one waits for leftovers.
  if (lookupsRunning() > 0) exitLeavingLookups(code);
  if (wasInterrupted()) process.exit(code);
});
