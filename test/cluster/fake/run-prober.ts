// Runs the prober CLI as a child process (from source, or the built binary) and collects what it printed.

import { type ProberExit, proberCommand, type RunningProber, startProcess } from '../../helpers/prober.ts';

/** Starts prober with `args`; `binary` runs the single executable instead of the source entry. */
export function startProber(
  args: readonly string[],
  options: { binary?: string; env?: NodeJS.ProcessEnv } = {},
): RunningProber {
  const argv = options.binary ? [options.binary, ...args] : [...proberCommand(), ...args];
  return startProcess(argv, {
    env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
  });
}

/** Runs prober to completion. */
export function runProber(
  args: readonly string[],
  options: { binary?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProberExit> {
  return startProber(args, options).exited;
}
