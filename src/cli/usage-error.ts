// Errors in how a command was called (flags, arguments): printed as one line, exit code 2.

/** A bad flag or argument value; the message names the flag. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
