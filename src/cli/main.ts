// The binary's entry point and the one place that sets the process exit code.

import { wasInterrupted } from './interrupts.ts';
import { runCli } from './program.ts';

// A reader that stops early (`prober … | head`) closes the pipe: that is not an error of prober's.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // The command has cleaned up and printed its report; an interrupted run does not wait for leftovers.
  if (wasInterrupted()) process.exit(code);
});
