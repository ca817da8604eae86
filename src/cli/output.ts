// What became of stdout and stderr: a failed write stops the writing, never the run, and never makes it pass.

/** How a stream's writes ended, if they did: `EPIPE` (the reader left), `ENOSPC` (a full disk) … */
export interface WatchedOutput {
  failure(): string | undefined;
}

/**
 * Watches a standard stream for write errors. The first one is remembered, and from then on every
 * write is dropped and accepted at once: a closed stdout or stderr keeps failing every write, and a
 * writer waiting for a 'drain' that never comes would leave the run without its verdict. So the run
 * goes on to its verdict (and its cleanup); the entry point then decides the exit code with
 * `exitCodeAfter`.
 */
export function watchOutput(stream: NodeJS.WriteStream): WatchedOutput {
  let failure: string | undefined;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failure !== undefined) return;
    failure = error.code ?? error.message;
    stream.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as NodeJS.WriteStream['write'];
    // Anyone waiting for the buffer to empty: it never will, and nothing more is written.
    stream.emit('drain');
  });
  return { failure: () => failure };
}

/**
 * The exit code of a command that returned `code` while stdout ended with `failure`, and the line
 * to print on stderr when there is one. A reader that left (EPIPE: `prober … | head`) chose to read no
 * more; the verdict stands. Any other failure (ENOSPC: `-o junit > report.xml` on a full disk) lost a
 * report a CI job meant to keep: exit 2, the run could not deliver, with the verdict it had on stderr.
 * Neither is ever 0 for a run whose verdict is not 0.
 */
export function exitCodeAfter(code: number, failure: string | undefined): { code: number; message?: string } {
  if (failure === undefined || failure === 'EPIPE') return { code };
  return {
    code: 2,
    message: `prober: cannot write the output (${failure}); the report is lost, its verdict was exit ${code}\n`,
  };
}
