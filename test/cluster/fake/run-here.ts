// Runs a prober command inside the test's own process (helpers/cli-in-process.ts), with the same bare
// environment `runProber` gives a child process: for commands that only talk to the API server
// (`simulate --cluster`), whose process start-up would cost more than their work.

import { cli } from '../../helpers/cli-in-process.ts';
import type { ProberExit } from '../../helpers/prober.ts';

/** Runs `prober ARGS…` to completion in this process; the answer has `runProber`'s shape. */
export async function runProberHere(args: readonly string[]): Promise<ProberExit> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const run = await cli(args, { env });
  return { code: run.status, signal: null, stdout: run.stdout, stderr: run.stderr };
}
