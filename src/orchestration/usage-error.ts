// Errors in how prober was asked to run (flags, arguments, a format that cannot hold the matrix): one line, exit code 2.

/** A bad flag or argument value; the message names the flag. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
