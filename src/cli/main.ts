// The binary's entry point and the one place that sets the process exit code.

import { runCli } from './program.ts';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
