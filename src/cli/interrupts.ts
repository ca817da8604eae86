// SIGINT/SIGTERM handling: the first signal aborts the run so backends clean up; a second one is not swallowed.

/** Runs `work` with an AbortSignal that fires on SIGINT or SIGTERM; handlers are removed afterwards. */
export async function withInterrupts<T>(work: (signal: AbortSignal, interrupted: () => string | undefined) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: string | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (received) {
      // A second signal means "stop now": restore the default and re-raise it.
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.kill(process.pid, name);
      return;
    }
    received = name;
    process.stderr.write(`prober: ${name} received, cleaning up (send again to stop immediately)\n`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal, () => received);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
