// Structured logging: one JSON object per line on stdout, written in batches.

/** Severity of a log line. */
export type Level = 'info' | 'warn' | 'error';

/** Fields of one log line besides its time, level and message. */
export type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where finished lines go; stdout by default, replaceable for tests. */
export type Sink = (chunk: string) => void;

/**
 * A JSON-lines logger. Lines are queued and written together once per event-loop
 * turn: under load that is one write(2) for many requests instead of one each,
 * which matters because stdout to a pipe or file is synchronous in Node on Linux.
 */
export class Logger {
  #queue: string[] = [];
  #scheduled = false;
  readonly #sink: Sink;

  constructor(sink: Sink = (chunk) => process.stdout.write(chunk)) {
    this.#sink = sink;
  }

  /** Queues one line `{"time":…,"level":…,"msg":…,…fields}`. */
  log(level: Level, msg: string, fields: Fields = {}): void {
    this.#queue.push(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  info(msg: string, fields?: Fields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: Fields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: Fields): void {
    this.log('error', msg, fields);
  }

  /** Writes every queued line now (also called before the process exits). */
  flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const chunk = this.#queue.join('');
    this.#queue = [];
    this.#sink(chunk);
  }
}
