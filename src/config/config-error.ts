// The one error type for bad input: it names the file, line and field, and prints as one line.

/** Bad input. The CLI prints `toString()` (one line, no stack) and exits with code 2. */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(
    file: string,
    line: number | undefined,
    field: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConfigError';
    this.file = file;
    this.line = line;
    this.field = field;
  }

  /** `file:line: field: message`, leaving out what is unknown. */
  override toString(): string {
    const where = this.line === undefined ? this.file : `${this.file}:${this.line}`;
    return `${where}: ${this.field ? `${this.field}: ` : ''}${this.message}`;
  }
}

/**
 * A ConfigError at a `file:line` location, as manifest objects give them (`source`, `locate()`); a
 * location without a line number names the file alone.
 */
export function configErrorAt(location: string, field: string | undefined, message: string): ConfigError {
  const colon = location.lastIndexOf(':');
  const line = Number(location.slice(colon + 1));
  return colon > 0 && Number.isInteger(line)
    ? new ConfigError(location.slice(0, colon), line, field, message)
    : new ConfigError(location, undefined, field, message);
}
