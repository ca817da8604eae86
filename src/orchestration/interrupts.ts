// SIGINT/SIGTERM handling: the first signal aborts the run so backends clean up; a second one is not swallowed.

import type { OutputStream } from '../model/io.ts';

/** The signal that interrupted a run in this process, if any. */
let received: NodeJS.Signals | undefined;

const processInterrupt = new AbortController();

/**
 * Aborted by the first SIGINT/SIGTERM a run of this process handles: for what is set up before the run's
 * own signal exists and must still stop at once (the API client's waits for the server's Retry-After).
 */
export const interruption: AbortSignal = processInterrupt.signal;

/**
 * Runs `work` with an AbortSignal that fires on SIGINT or SIGTERM, saying so on `stderr`; handlers are removed afterwards.
 * Everything that waits in a run (probes, backoffs, agents, API polls) listens on this one signal, so
 * the run ends within moments and the command can still print what it observed.
 */
export async function withInterrupts<T>(
  stderr: OutputStream,
  work: (signal: AbortSignal, interrupted: () => string | undefined) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let mine: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (mine) {
      // A second signal means "stop now": restore the default and re-raise it.
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.kill(process.pid, name);
      return;
    }
    mine = name;
    received = name;
    stderr.write(`prober: ${name} received, cleaning up (send again to stop immediately)\n`);
    controller.abort(new Error(`interrupted by ${name}`));
    if (!processInterrupt.signal.aborted) processInterrupt.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal, () => mine);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/**
 * Handles SIGINT/SIGTERM for a command that stops on them as its normal end (`watch`): the first one
 * calls `stop`, aborts `interruption` and marks the process interrupted (so the entry point exits as
 * soon as the command returns); a second one is not swallowed. Returns the function that removes the handlers.
 */
export function onStopSignals(stderr: OutputStream, stop: (signal: NodeJS.Signals) => void): () => void {
  const onSignal = (name: NodeJS.Signals): void => {
    if (received) {
      remove();
      process.kill(process.pid, name);
      return;
    }
    received = name;
    stderr.write(`prober: ${name} received, stopping (send again to stop immediately)\n`);
    if (!processInterrupt.signal.aborted) processInterrupt.abort(new Error(`interrupted by ${name}`));
    stop(name);
  };
  const remove = (): void => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return remove;
}

/**
 * True once a run in this process was interrupted. The entry point then exits as soon as the command
 * returns: what cannot be cancelled (a name lookup in libuv's thread pool) must not hold the exit.
 */
export function wasInterrupted(): boolean {
  return received !== undefined;
}
